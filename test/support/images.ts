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

/** A deterministic pseudo-random generator (mulberry32), so generated images are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Skin tones (sRGB), light to dark: the colour a nudity model leans on most, hence a calibration group. */
export const SKIN_TONES: readonly [number, number, number][] = [
  [255, 224, 196],
  [241, 194, 167],
  [224, 172, 138],
  [198, 134, 103],
  [161, 102, 75],
  [112, 70, 50],
];

function fromPixels(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rgb.set(pixel(x, y).map((v) => Math.max(0, Math.min(255, Math.round(v)))), (y * width + x) * 3);
  }
  return rgb;
}

/**
 * A skin-tone field shaded with soft round highlights and shadows (no figure, no anatomy): the kind of benign
 * image a nudity classifier is most likely to misread.
 */
export function skinField(tone: readonly [number, number, number], seed: number, width = 320, height = 320): Buffer {
  const next = random(seed);
  const blobs = Array.from({ length: 5 }, () => ({ x: next() * width, y: next() * height, r: (0.15 + 0.3 * next()) * width, k: next() < 0.5 ? -0.35 : 0.2 }));
  return fromPixels(width, height, (x, y) => {
    let shade = 1;
    for (const b of blobs) shade += b.k * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.r * b.r));
    return [tone[0] * shade, tone[1] * shade, tone[2] * shade];
  });
}

/** One benign generated image for calibration and tests: its group, a name, and JPEG or PNG bytes. */
export interface GeneratedImage {
  group: 'flat' | 'gradient' | 'noise' | 'pattern' | 'synthetic-photo' | 'skin-field' | 'document';
  name: string;
  bytes: Buffer;
}

const encode = (rgb: Buffer, width: number, height: number, format: 'jpeg' | 'png' = 'jpeg') =>
  sharp(rgb, { raw: { width, height, channels: 3 } }).toFormat(format).toBuffer();

/** A rendered page of text and boxes (a screenshot-like image), through sharp's SVG renderer. */
async function documentImage(seed: number): Promise<Buffer> {
  const next = random(seed);
  const lines = Array.from({ length: 12 }, (_, i) => `<text x="24" y="${60 + i * 22}" font-family="sans-serif" font-size="14" fill="#222">Line ${i + 1}: settings, account, privacy and billing ${Math.floor(next() * 1000)}</text>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360"><rect width="480" height="360" fill="#f6f7f9"/><rect x="0" y="0" width="480" height="36" fill="#3451b2"/><text x="16" y="24" font-family="sans-serif" font-size="16" fill="#fff">Warden app ${seed}</text>${lines.join('')}<rect x="320" y="60" width="130" height="90" rx="8" fill="#dde3f5"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg().toBuffer();
}

/** Every generated calibration image (deterministic): about 60 benign images across seven groups. */
export async function generatedImages(): Promise<GeneratedImage[]> {
  const out: GeneratedImage[] = [];
  const flats: [string, [number, number, number]][] = [['white', [255, 255, 255]], ['black', [0, 0, 0]], ['grey', [128, 128, 128]], ['red', [220, 30, 30]], ['green', [30, 160, 60]], ['blue', [30, 60, 200]], ['beige', [230, 210, 180]], ['pink', [250, 190, 200]]];
  for (const [name, colour] of flats) out.push({ group: 'flat', name, bytes: await encode(fromPixels(64, 64, () => colour), 64, 64, 'png') });
  for (let i = 0; i < 6; i++) {
    const a = SKIN_TONES[i]!;
    const b: [number, number, number] = [40 * i, 255 - 40 * i, 128];
    out.push({ group: 'gradient', name: `gradient-${i}`, bytes: await encode(fromPixels(256, 256, (x, y) => a.map((v, c) => v + ((b[c]! - v) * (x + y)) / 510) as [number, number, number]), 256, 256) });
  }
  for (let i = 0; i < 4; i++) {
    const next = random(100 + i);
    const grey = i % 2 === 1;
    out.push({ group: 'noise', name: `noise-${grey ? 'grey' : 'rgb'}-${i}`, bytes: await encode(fromPixels(256, 256, () => { const v = next() * 255; return grey ? [v, v, v] : [v, next() * 255, next() * 255]; }), 256, 256, 'png') });
  }
  for (let i = 0; i < 6; i++) {
    const period = 8 + 6 * i;
    out.push({ group: 'pattern', name: `${i % 2 ? 'checker' : 'stripes'}-${period}`, bytes: await encode(fromPixels(256, 256, (x, y) => (i % 2 ? ((Math.floor(x / period) + Math.floor(y / period)) % 2 ? [240, 240, 240] : [20, 20, 90]) : Math.floor(x / period) % 2 ? [250, 200, 40] : [40, 40, 40])), 256, 256, 'png') });
  }
  for (let seed = 1; seed <= 12; seed++) out.push({ group: 'synthetic-photo', name: `synthetic-${seed}`, bytes: await syntheticImage({ width: 320, height: 240, seed }) });
  for (let i = 0; i < SKIN_TONES.length * 2; i++) {
    out.push({ group: 'skin-field', name: `skin-${i % SKIN_TONES.length}-${Math.floor(i / SKIN_TONES.length)}`, bytes: await encode(skinField(SKIN_TONES[i % SKIN_TONES.length]!, 7 + i), 320, 320) });
  }
  for (let seed = 1; seed <= 4; seed++) out.push({ group: 'document', name: `document-${seed}`, bytes: await documentImage(seed) });
  return out;
}
