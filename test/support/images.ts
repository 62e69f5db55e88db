import { deflateSync, crc32 } from 'node:zlib';
import sharp from 'sharp';

/**
 * A photo-like test image (smooth blobs and stripes from a seed), so perceptual hashes have structure to work on.
 * @returns raw 8-bit RGB pixels
 */
export function syntheticPixels(width: number, height: number, seed: number): Buffer {
  const rgb = Buffer.alloc(width * height * 3);
  const wave = (k: number) => 0.5 + 0.5 * Math.sin(seed * 12.9898 + k * 78.233);
  const fx = 2 + 6 * wave(1);
  const fy = 2 + 6 * wave(2);
  const cx = wave(3);
  const cy = wave(4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x / width;
      const v = y / height;
      const blob = Math.exp(-((u - cx) ** 2 + (v - cy) ** 2) * 8);
      const base = 0.5 + 0.25 * Math.sin(fx * Math.PI * u + seed) + 0.25 * Math.cos(fy * Math.PI * v * (1 + u));
      const o = (y * width + x) * 3;
      rgb[o] = Math.round(255 * Math.min(1, base * 0.7 + blob * 0.3));
      rgb[o + 1] = Math.round(255 * Math.min(1, base * 0.5 + (1 - blob) * 0.4));
      rgb[o + 2] = Math.round(255 * Math.min(1, (1 - base) * 0.6 + blob * 0.3));
    }
  }
  return rgb;
}

/** A synthetic image encoded as `format`. */
export async function syntheticImage(options: { width?: number; height?: number; seed?: number; format?: 'jpeg' | 'png' | 'webp' | 'gif' } = {}): Promise<Buffer> {
  const { width = 320, height = 240, seed = 1, format = 'jpeg' } = options;
  return sharp(syntheticPixels(width, height, seed), { raw: { width, height, channels: 3 } }).toFormat(format).toBuffer();
}

/** A data URL, as clients send image parts. */
export function dataUrl(bytes: Buffer, mime = 'image/jpeg'): string {
  return `data:${mime};base64,${bytes.toString('base64')}`;
}

/**
 * A decompression bomb: a valid PNG of a few hundred bytes whose header declares `width` × `height` pixels
 * (its data is truncated, so a decoder that trusts the header allocates gigabytes before noticing).
 */
export function pngBomb(width = 50_000, height = 50_000): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, no interlace
  const rows = deflateSync(Buffer.alloc(64 * 1024)); // zeros compress to almost nothing
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', rows), chunk('IEND', Buffer.alloc(0))]);
}
