import sharp, { type Metadata } from 'sharp';
import { InvalidInput, PayloadTooLarge } from '../common/index.ts';

/** What an image may weigh before Warden refuses it (the request is not decoded at all past these). */
export interface ImageLimits {
  /** Encoded size in bytes. */
  maxBytes: number;
  /** Width × height of the (first) frame, as its header declares it: decompression bombs stop here, before decoding. */
  maxPixels: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxBytes: 20 * 1024 * 1024, maxPixels: 50_000_000 };

/** The formats OpenAI's moderation endpoint takes; SVG and documents are refused (renderers, not images). */
export const IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'gif'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** The longest side Warden works at: PDQ and the classifier need far less, and decoding shrinks JPEGs on load. */
export const WORKING_SIZE = 512;

/** The shortest longest-side the working copy is shrunk to (PDQ filters down to 64 × 64; the classifier takes 224). */
export const MIN_WORKING_SIZE = 224;

/**
 * The working copy's size: the original divided by the largest power of two (up to 8) that keeps its longest side
 * at least {@link MIN_WORKING_SIZE}, capped at {@link WORKING_SIZE}. libjpeg decodes at 1/2, 1/4 and 1/8 scale
 * directly (sharp's shrink-on-load), so for a JPEG this size costs a fraction of a full decode followed by a resize:
 * a 1000 × 1000 JPEG decodes at 500 × 500, where asking for 512 would decode all million pixels.
 */
export function workingSize(width: number, height: number): { width: number; height: number } {
  const longest = Math.max(width, height);
  if (longest <= MIN_WORKING_SIZE) return { width, height };
  let factor = 1;
  while (factor < 8 && longest / (factor * 2) >= MIN_WORKING_SIZE) factor *= 2;
  const scale = Math.min(1 / factor, WORKING_SIZE / longest);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** A decoded image: upright (EXIF orientation applied), its first frame only, at most {@link WORKING_SIZE} a side. */
export interface DecodedImage {
  format: ImageFormat;
  /** Size of the upright original. */
  width: number;
  height: number;
  /** Frames in the file; only the first is judged. */
  frames: number;
  /** Interleaved 8-bit RGB of the working copy. */
  rgb: Buffer;
  rgbWidth: number;
  rgbHeight: number;
}

/**
 * Decodes untrusted image bytes with sharp (libvips), refusing oversized files and pixel counts from the header
 * before any pixel is decoded, so a small file that declares 50,000 × 50,000 pixels costs a header read.
 * @throws InvalidInput (400) for bytes that are not a supported image; PayloadTooLarge (413) past the limits.
 */
export async function decodeImage(bytes: Uint8Array, limits: ImageLimits = DEFAULT_IMAGE_LIMITS, param: string | null = null): Promise<DecodedImage> {
  if (bytes.length > limits.maxBytes) {
    throw new PayloadTooLarge(`The image is ${bytes.length} bytes; this server takes images up to ${limits.maxBytes} bytes.`, param, 'image_too_large');
  }
  const header = await readHeader(bytes, param);
  const format = header.format as ImageFormat | undefined;
  if (!format || !(IMAGE_FORMATS as readonly string[]).includes(format)) {
    throw new InvalidInput(`Unsupported image format${format ? ` "${format}"` : ''}: send ${IMAGE_FORMATS.join(', ')}.`, param, 'unsupported_image');
  }
  const frameHeight = header.pageHeight ?? header.height ?? 0;
  const width = header.width ?? 0;
  if (width * frameHeight > limits.maxPixels) {
    throw new PayloadTooLarge(
      `The image declares ${width} × ${frameHeight} pixels; this server decodes at most ${limits.maxPixels} pixels per image.`,
      param,
      'image_too_large',
    );
  }
  try {
    const quarterTurn = (header.orientation ?? 1) >= 5;
    const upright = quarterTurn ? { width: frameHeight, height: width } : { width, height: frameHeight };
    const target = workingSize(upright.width, upright.height);
    const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels, pages: 1, failOn: 'error' })
      .autoOrient()
      .resize({ ...target, fit: 'fill', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      format,
      width: upright.width,
      height: upright.height,
      frames: header.pages ?? 1,
      rgb: data,
      rgbWidth: info.width,
      rgbHeight: info.height,
    };
  } catch (error) {
    throw new InvalidInput(`The image could not be decoded: ${(error as Error).message}`, param, 'invalid_image');
  }
}

async function readHeader(bytes: Uint8Array, param: string | null): Promise<Metadata> {
  try {
    return await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new InvalidInput('The data is not an image this server can read.', param, 'invalid_image');
  }
}

/**
 * ITU-R BT.601 luma, as upstream PDQ computes it, into a float buffer: `into` when it is given and large enough
 * (a caller hashing many images reuses one), else a new one.
 */
export function lumaOf(image: Pick<DecodedImage, 'rgb' | 'rgbWidth' | 'rgbHeight'>, into?: Float32Array): Float32Array {
  const pixels = image.rgbWidth * image.rgbHeight;
  const luma = into && into.length >= pixels ? into.subarray(0, pixels) : new Float32Array(pixels);
  const { rgb } = image;
  for (let p = 0, o = 0; p < pixels; p++, o += 3) luma[p] = 0.299 * rgb[o]! + 0.587 * rgb[o + 1]! + 0.114 * rgb[o + 2]!;
  return luma;
}
