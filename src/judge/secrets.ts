import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { InvalidInput } from '../common/index.ts';

/**
 * Encrypts judges' API keys at rest: AES-256-GCM under a key derived (HKDF-SHA256) from
 * WARDEN_SECRET_KEY, with the tenant and judge as associated data, so a ciphertext copied to
 * another row does not open. The database alone (a dump, a backup, a replica) never yields a key.
 */
export class SecretBox {
  private readonly key: Buffer | null;

  constructor(secret: string | null) {
    this.key = secret ? Buffer.from(hkdfSync('sha256', Buffer.from(secret), Buffer.alloc(0), 'warden judge api keys v1', 32)) : null;
  }

  get available(): boolean {
    return this.key !== null;
  }

  seal(plaintext: string, context: string): string {
    if (!this.key) throw new InvalidInput('Storing an API key needs WARDEN_SECRET_KEY set on the server (it encrypts keys at rest); or name an environment variable with api_key_env instead.', 'api_key', 'secret_key_missing');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  /** The key, or null when it cannot be opened here (no WARDEN_SECRET_KEY, another key, another row). */
  open(sealed: string, context: string): string | null {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (!this.key || version !== 'v1' || !iv || !tag || ciphertext === undefined) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}

/** WARDEN_SECRET_KEY: at least 32 characters (e.g. `openssl rand -base64 32`); absent, keys can only be named by environment variable. */
export function secretBoxFromEnv(env: NodeJS.ProcessEnv = process.env): SecretBox {
  const secret = env.WARDEN_SECRET_KEY?.trim();
  if (secret && secret.length < 32) throw new InvalidInput('WARDEN_SECRET_KEY must be at least 32 characters (e.g. `openssl rand -base64 32`).', 'WARDEN_SECRET_KEY');
  return new SecretBox(secret || null);
}
