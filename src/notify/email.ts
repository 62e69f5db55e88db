import nodemailer from 'nodemailer';
import type { OutboxEventType } from './outbox.ts';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  /** Sent as a header so mail filters and receivers can de-duplicate retries. */
  eventId: string;
}

export interface Mailer {
  send(message: EmailMessage): Promise<void>;
}

/** SMTP through nodemailer, e.g. `smtp://user:pass@mail.example.com:587` (WARDEN_SMTP_URL). */
export function smtpMailer(smtpUrl: string, from: string, timeoutMs: number): Mailer {
  const url = new URL(smtpUrl);
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  return {
    async send(message) {
      await transport.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        headers: { 'Warden-Event-Id': message.eventId },
      });
    },
  };
}

interface ClauseLike {
  id: string;
  title?: string;
}

interface PolicyPublishedData {
  policy: { name: string; version: string; title: string; effective_date: string };
  changelog_entry: { date: string; summary: string } | null;
  diff: { added: ClauseLike[]; removed: ClauseLike[]; changed: { id: string; changes: { field: string }[] }[] } | null;
}

/** A readable e-mail for an event: a summary line and the event's data. */
export function emailFor(type: OutboxEventType, data: unknown): { subject: string; text: string } {
  if (type === 'policy.published') return policyEmail(data as PolicyPublishedData);
  return { subject: `Warden: ${type}`, text: `Event ${type}:\n\n${JSON.stringify(data, null, 2)}\n` };
}

function policyEmail(data: PolicyPublishedData): { subject: string; text: string } {
  const lines = [
    `${data.policy.title} version ${data.policy.version} (effective ${data.policy.effective_date}) has been published.`,
    '',
  ];
  if (data.changelog_entry) lines.push(`What changed (${data.changelog_entry.date}): ${data.changelog_entry.summary}`, '');
  if (data.diff) {
    const list = (label: string, items: string[]) => items.length && lines.push(`${label}:`, ...items.map((item) => `  - ${item}`), '');
    list('Added clauses', data.diff.added.map((c) => `${c.id} ${c.title ?? ''}`.trim()));
    list('Removed clauses', data.diff.removed.map((c) => `${c.id} ${c.title ?? ''}`.trim()));
    list('Changed clauses', data.diff.changed.map((c) => `${c.id} (${c.changes.map((change) => change.field).join(', ')})`));
  }
  return { subject: `Usage policy updated: ${data.policy.title} ${data.policy.version}`, text: lines.join('\n') };
}
