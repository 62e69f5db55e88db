import { InvalidInput, PayloadTooLarge } from '../common/index.ts';
import { getGuarded } from '../notify/index.ts';

/** How image URLs are fetched, when a tenant allows it at all. */
export interface ImageFetchOptions {
  /** Encoded bytes accepted, from a data URL or a fetch. */
  maxBytes: number;
  timeoutMs: number;
  /** Development only: loopback and private addresses (WARDEN_IMAGE_FETCH_ALLOW_PRIVATE=1). */
  allowPrivateNetworks: boolean;
}

/** The body limit of routes that take images as data URLs: a 20 MB image is about 27 MB of base64. */
export const IMAGE_BODY_LIMIT = 28 * 1024 * 1024;

export const DEFAULT_FETCH_OPTIONS: ImageFetchOptions = { maxBytes: 20 * 1024 * 1024, timeoutMs: 5000, allowPrivateNetworks: false };

/** Reads the fetch settings from the environment (WARDEN_IMAGE_FETCH_TIMEOUT_MS, WARDEN_IMAGE_FETCH_ALLOW_PRIVATE). */
export function imageFetchOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ImageFetchOptions {
  const timeout = Number(env.WARDEN_IMAGE_FETCH_TIMEOUT_MS);
  return {
    ...DEFAULT_FETCH_OPTIONS,
    timeoutMs: Number.isInteger(timeout) && timeout > 0 ? timeout : DEFAULT_FETCH_OPTIONS.timeoutMs,
    allowPrivateNetworks: env.WARDEN_IMAGE_FETCH_ALLOW_PRIVATE === '1',
  };
}

/**
 * The bytes behind an `image_url` part: a `data:image/…` URL always; an http(s) URL only when the tenant allows
 * fetching, through the webhook sender's guard (no private or link-local addresses after DNS resolution, no
 * redirects, size and time caps) and only when the server answers with an image content type.
 */
export async function imageBytes(url: string, param: string, fetchAllowed: boolean, options: ImageFetchOptions): Promise<Buffer> {
  if (url.startsWith('data:')) return fromDataUrl(url, param, options.maxBytes);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidInput('image_url.url: not a data URL or an absolute http(s) URL', param, 'invalid_image_url');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new InvalidInput('image_url.url: a data: URL or an http(s) URL', param, 'invalid_image_url');
  if (!fetchAllowed) {
    throw new InvalidInput(
      'This tenant does not let Warden fetch image URLs: send the image as a data URL (data:image/png;base64,…), or have an admin enable fetching with PUT /v1/image-settings {"fetch_urls": true}.',
      param,
      'image_url_fetch_disabled',
    );
  }
  const outcome = await getGuarded({ url: parsed.toString(), timeoutMs: options.timeoutMs, maxBytes: options.maxBytes, allowPrivateNetworks: options.allowPrivateNetworks, accept: 'image/*' });
  if (!outcome.ok) {
    if (outcome.reason === 'too_large') throw new PayloadTooLarge(`The image at ${parsed.host} is larger than ${options.maxBytes} bytes.`, param, 'image_too_large');
    throw new InvalidInput(`The image URL could not be fetched: ${outcome.error}.`, param, outcome.reason === 'refused' ? 'image_url_refused' : 'image_fetch_failed');
  }
  if (!outcome.contentType?.toLowerCase().startsWith('image/')) {
    throw new InvalidInput(`The image URL answered with content type "${outcome.contentType ?? 'none'}", not an image.`, param, 'image_fetch_failed');
  }
  return outcome.body;
}

function fromDataUrl(url: string, param: string, maxBytes: number): Buffer {
  const comma = url.indexOf(',');
  const header = comma < 0 ? '' : url.slice(5, comma).toLowerCase();
  const [mime, ...flags] = header.split(';');
  if (comma < 0 || !mime!.startsWith('image/')) throw new InvalidInput('image_url.url: a data URL must be data:image/<type>;base64,<data>', param, 'invalid_image_url');
  const payload = url.slice(comma + 1);
  const base64 = flags.includes('base64');
  // Checked before decoding: base64 is 4 characters per 3 bytes.
  if ((base64 ? (payload.length * 3) / 4 : payload.length) > maxBytes + 3) {
    throw new PayloadTooLarge(`The image is larger than ${maxBytes} bytes.`, param, 'image_too_large');
  }
  if (base64 && !/^[A-Za-z0-9+/_-]*={0,2}$/.test(payload)) throw new InvalidInput('image_url.url: the data URL is not valid base64', param, 'invalid_image_url');
  return base64 ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'latin1');
}
