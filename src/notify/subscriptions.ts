import type { AuditLog } from '../audit/index.ts';
import { type Clock, InvalidInput, NotFound, type PageRequest, newId } from '../common/index.ts';
import { type Store, type SubscriptionRow, afterKey } from '../db/index.ts';
import { OUTBOX_EVENT_TYPES, type OutboxEventType } from './outbox.ts';
import { newSigningSecret, validateSigningSecret } from './signature.ts';
import { type Resolver, refusedHost, systemResolver } from './address-guard.ts';

export interface WebhookSubscriptionInput {
  url: string;
  events: OutboxEventType[];
  /** The signing secret (`whsec_` + base64, Standard Webhooks); one is generated when absent. */
  secret?: string;
}

export interface EmailSubscriptionInput {
  email: string;
  events: OutboxEventType[];
}

/** A subscription as the API shows it: never with its secret. */
export interface SubscriptionView {
  object: 'subscription';
  id: string;
  kind: 'webhook' | 'email';
  url: string | null;
  email: string | null;
  events: OutboxEventType[];
  created_at: string;
}

const MAX_URL_LENGTH = 2048;

export class Subscriptions {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly allowPrivateNetworks: boolean,
    private readonly resolve: Resolver = systemResolver,
  ) {}

  /** Creates a webhook subscription; the secret is in this one response and never again. */
  async createWebhook(tenantId: string, input: WebhookSubscriptionInput, actor: string): Promise<SubscriptionView & { secret: string }> {
    const url = await this.validateUrl(input.url);
    const events = validateEvents(input.events);
    const secret = input.secret === undefined ? newSigningSecret() : validateSigningSecret(input.secret);
    const row = await this.insert(tenantId, { kind: 'webhook', url, email: null, events, secret }, actor);
    return { ...view(row), secret };
  }

  async createEmail(tenantId: string, input: EmailSubscriptionInput, actor: string): Promise<SubscriptionView> {
    const email = input.email.trim();
    if (!/^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/.test(email) || email.length > 254) {
      throw new InvalidInput('email: not an e-mail address', 'email');
    }
    return view(await this.insert(tenantId, { kind: 'email', url: null, email, events: validateEvents(input.events), secret: null }, actor));
  }

  /** Live subscriptions, oldest first, a page at a time (cursor: created_at, id). */
  async list(tenantId: string, page: PageRequest): Promise<SubscriptionView[]> {
    let query = this.store.db.selectFrom('subscriptions').selectAll().where('tenant_id', '=', tenantId).where('deleted_at', 'is', null);
    if (page.after) query = query.where(afterKey(['created_at', 'id'], page.after));
    const rows = await query.orderBy('created_at').orderBy('id').limit(page.limit).execute();
    return rows.map(view);
  }

  async get(tenantId: string, id: string): Promise<SubscriptionView> {
    return view(await this.activeRow(tenantId, id));
  }

  /** Stops future deliveries; pending ones to it are cancelled by the worker. */
  async delete(tenantId: string, id: string, actor: string): Promise<void> {
    await this.activeRow(tenantId, id);
    await this.store.db.transaction().execute(async (tx) => {
      await tx.updateTable('subscriptions').set({ deleted_at: this.clock.now().toISOString() }).where('id', '=', id).where('tenant_id', '=', tenantId).execute();
      await this.audit.append(tx, { tenantId, actor, action: 'subscription.deleted', target: id, payload: {} });
    });
  }

  private async activeRow(tenantId: string, id: string): Promise<SubscriptionRow> {
    const row = await this.store.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw new NotFound(`Subscription "${id}"`, 'id');
    return row;
  }

  private async insert(
    tenantId: string,
    fields: { kind: 'webhook' | 'email'; url: string | null; email: string | null; events: OutboxEventType[]; secret: string | null },
    actor: string,
  ): Promise<SubscriptionRow> {
    const row: SubscriptionRow = {
      id: newId('sub'),
      tenant_id: tenantId,
      kind: fields.kind,
      url: fields.url,
      email: fields.email,
      events: JSON.stringify(fields.events),
      secret: fields.secret,
      created_by: actor,
      created_at: this.clock.now().toISOString(),
      deleted_at: null,
    };
    await this.store.db.transaction().execute(async (tx) => {
      await tx.insertInto('subscriptions').values(row).execute();
      await this.audit.append(tx, {
        tenantId,
        actor,
        action: 'subscription.created',
        target: row.id,
        payload: { kind: row.kind, url: row.url, email: row.email, events: fields.events },
      });
    });
    return row;
  }

  /**
   * An absolute https URL without credentials (http only where private networks are allowed,
   * i.e. development), whose host is public: an IP literal in a public unicast range, or a name
   * that resolves only to such addresses now. Delivery checks the addresses again.
   */
  private async validateUrl(raw: string): Promise<string> {
    if (raw.length > MAX_URL_LENGTH) throw new InvalidInput(`url: at most ${MAX_URL_LENGTH} characters`, 'url');
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new InvalidInput('url: not an absolute URL', 'url');
    }
    const allowedProtocols = this.allowPrivateNetworks ? ['https:', 'http:'] : ['https:'];
    if (!allowedProtocols.includes(url.protocol)) throw new InvalidInput(`url: must use ${allowedProtocols.join(' or ')}`, 'url');
    if (url.username || url.password) throw new InvalidInput('url: must not carry credentials; sign with the secret instead', 'url');
    if (url.hash) throw new InvalidInput('url: must not have a #fragment', 'url');
    const refused = this.allowPrivateNetworks ? null : await refusedHost(url.hostname, this.resolve);
    if (refused) throw new InvalidInput(`url: ${refused}; webhooks go to public addresses only`, 'url');
    return url.toString();
  }
}

function validateEvents(events: string[]): OutboxEventType[] {
  if (events.length === 0) throw new InvalidInput('events: subscribe to at least one event', 'events');
  events.forEach((event, index) => {
    if (!(OUTBOX_EVENT_TYPES as readonly string[]).includes(event)) {
      throw new InvalidInput(`events[${index}]: unknown event "${event}"; one of ${OUTBOX_EVENT_TYPES.join(', ')}`, `events[${index}]`);
    }
  });
  return [...new Set(events)] as OutboxEventType[];
}

function view(row: SubscriptionRow): SubscriptionView {
  return {
    object: 'subscription',
    id: row.id,
    kind: row.kind as 'webhook' | 'email',
    url: row.url,
    email: row.email,
    events: JSON.parse(row.events) as OutboxEventType[],
    created_at: row.created_at,
  };
}
