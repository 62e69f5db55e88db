import { createHash } from 'node:crypto';
import { type DecodedImage, type ImageLimits, DEFAULT_IMAGE_LIMITS, decodeImage, lumaOf } from './decode.ts';
import { type DihedralOrientation, type PdqHash, pdqDihedralFromLuma, pdqFromLuma, pdqToHex } from './pdq.ts';

/** Everything Warden derives from an image to match it against hash banks; the bytes themselves are not kept. */
export interface ImageHashes {
  md5: string;
  sha256: string;
  /** PDQ of the upright image, 64 hex digits. */
  pdq: string;
  /** PDQ's quality score, 0–100; upstream advises discarding hashes below 50. */
  quality: number;
  /** The seven other rotations and flips (for banks that match any orientation). */
  dihedral?: Record<Exclude<DihedralOrientation, 'original'>, string>;
}

export interface HashedImage {
  image: DecodedImage;
  hashes: ImageHashes;
  /** The raw PDQ bits of the upright image, for matching. */
  pdqBits: PdqHash;
}

/**
 * Decodes and hashes untrusted image bytes: MD5 and SHA-256 of the bytes as sent (exact matches), PDQ of the
 * first frame, upright (perceptual matches).
 */
export async function hashImage(bytes: Uint8Array, options: { limits?: ImageLimits; dihedral?: boolean; param?: string | null } = {}): Promise<HashedImage> {
  const image = await decodeImage(bytes, options.limits ?? DEFAULT_IMAGE_LIMITS, options.param ?? null);
  return { image, ...hashDecoded(bytes, image, options.dihedral ?? false) };
}

let lumaBuffer = new Float32Array(0);

/** The hashes of an image already decoded from `bytes`. */
export function hashDecoded(bytes: Uint8Array, image: DecodedImage, dihedral: boolean): Omit<HashedImage, 'image'> {
  const exact = { md5: createHash('md5').update(bytes).digest('hex'), sha256: createHash('sha256').update(bytes).digest('hex') };
  if (lumaBuffer.length < image.rgbWidth * image.rgbHeight) lumaBuffer = new Float32Array(image.rgbWidth * image.rgbHeight);
  // PDQ filters the luma in place, and synchronously: one buffer serves every image.
  const luma = lumaOf(image, lumaBuffer);
  if (!dihedral) {
    const { hash, quality } = pdqFromLuma(luma, image.rgbWidth, image.rgbHeight);
    return { pdqBits: hash, hashes: { ...exact, pdq: pdqToHex(hash), quality } };
  }
  const { hashes, quality } = pdqDihedralFromLuma(luma, image.rgbWidth, image.rgbHeight);
  const { original, ...others } = hashes;
  const rest = Object.fromEntries(Object.entries(others).map(([name, hash]) => [name, pdqToHex(hash)])) as ImageHashes['dihedral'];
  return { pdqBits: original, hashes: { ...exact, pdq: pdqToHex(original), quality, dihedral: rest } };
}
