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
    const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels, pages: 1, failOn: 'error' })
      .autoOrient()
      .resize({ width: WORKING_SIZE, height: WORKING_SIZE, fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const quarterTurn = (header.orientation ?? 1) >= 5;
    return {
      format,
      width: quarterTurn ? frameHeight : width,
      height: quarterTurn ? width : frameHeight,
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
