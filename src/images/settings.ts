import type { AuditLog } from '../audit/index.ts';
import type { Clock } from '../common/index.ts';
import type { Store } from '../db/index.ts';

export interface ImageSettingsView {
  object: 'image_settings';
  /** Whether /v1/moderations fetches http(s) image URLs (data URLs are always accepted). */
  fetch_urls: boolean;
  updated_at: string | null;
}

/** Per-tenant image settings; fetching image URLs is off until an admin turns it on. */
export class ImageSettings {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async get(tenantId: string): Promise<ImageSettingsView> {
    const row = await this.store.db.selectFrom('image_settings').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
    return { object: 'image_settings', fetch_urls: row?.fetch_urls === 1, updated_at: row?.updated_at ?? null };
  }

  async set(tenantId: string, settings: { fetch_urls: boolean }, actor: string): Promise<ImageSettingsView> {
    const row = { tenant_id: tenantId, fetch_urls: settings.fetch_urls ? 1 : 0, updated_by: actor, updated_at: this.clock.now().toISOString() };
    await this.store.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('image_settings')
        .values(row)
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ fetch_urls: row.fetch_urls, updated_by: actor, updated_at: row.updated_at }))
        .execute();
      await this.audit.append(tx, { tenantId, actor, action: 'image_settings.updated', target: tenantId, payload: settings });
    });
    return this.get(tenantId);
  }
}
