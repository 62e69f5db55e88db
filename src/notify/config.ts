import { InvalidInput } from '../common/index.ts';
import { DEFAULT_DELIVERY_OPTIONS, type DeliveryOptions } from './delivery.ts';
import { type Mailer, smtpMailer } from './email.ts';

export interface NotifyConfig {
  delivery: Partial<DeliveryOptions>;
  mailer: Mailer | null;
}

/**
 * Delivery settings from the environment:
 * WARDEN_SMTP_URL (smtp://user:pass@host:port; no e-mail without it), WARDEN_SMTP_FROM,
 * WARDEN_WEBHOOK_ALLOW_PRIVATE=1 (allow loopback/private receivers and plain http: development only),
 * WARDEN_WEBHOOK_MAX_ATTEMPTS, WARDEN_WEBHOOK_TIMEOUT_MS.
 */
export function notifyConfigFromEnv(env: NodeJS.ProcessEnv = process.env): NotifyConfig {
  const timeoutMs = positiveInt(env, 'WARDEN_WEBHOOK_TIMEOUT_MS') ?? DEFAULT_DELIVERY_OPTIONS.timeoutMs;
  const smtpUrl = env.WARDEN_SMTP_URL?.trim();
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) throw new InvalidInput('WARDEN_SMTP_URL must start with smtp:// or smtps://', 'WARDEN_SMTP_URL');
  return {
    delivery: {
      allowPrivateNetworks: env.WARDEN_WEBHOOK_ALLOW_PRIVATE === '1',
      maxAttempts: positiveInt(env, 'WARDEN_WEBHOOK_MAX_ATTEMPTS') ?? DEFAULT_DELIVERY_OPTIONS.maxAttempts,
      timeoutMs,
    },
    mailer: smtpUrl ? smtpMailer(smtpUrl, env.WARDEN_SMTP_FROM?.trim() || 'Warden <warden@localhost>', timeoutMs) : null,
  };
}

function positiveInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new InvalidInput(`${name} must be a positive integer, got "${raw}"`, name);
  return value;
}
