import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { describeWithSharedData } from '../../test/support/reference-data.ts';
import { pngBomb, syntheticImage, syntheticPixels } from '../../test/support/images.ts';
import { DIHEDRAL_ORIENTATIONS, hammingDistance, hashImage, pdqFromHex } from './index.ts';

const MATCH = 31;

async function pdqOf(bytes: Uint8Array) {
  const { hashes, pdqBits } = await hashImage(bytes, { dihedral: true });
  return { ...hashes, bits: pdqBits };
}

const distance = (a: string, b: string) => hammingDistance(pdqFromHex(a)!, pdqFromHex(b)!);

describeWithSharedData('reference/pdq', 'PDQ against the upstream implementations (../shared/reference/pdq)', (root) => {
  const read = (file: string) => readFileSync(join(root, file));

  /** Upstream counts an implementation correct when hashes of quality ≥ 80 are within 10 bits of the C++ ones. */
  it.each([
    ['reference-cpp-hashes.csv', (line: string) => line.split(',') as [string, string]],
    ['reference-python-hashes.csv', (line: string) => [line.split(',')[2]!, line.split(',')[0]!] as [string, string]],
  ])('every reference image is within a few bits of %s', async (csv, parse) => {
    const lines = read(`expected/${csv}`).toString('utf8').trim().split('\n').filter((line) => !line.startsWith('FilePath'));
    const distances: Record<string, number> = {};
    for (const [file, expected] of lines.map(parse)) {
      const ours = await pdqOf(read(file));
      distances[file.replace(/^data\//, '')] = distance(ours.pdq, expected);
      if (ours.quality >= 80) expect(distances[file.replace(/^data\//, '')], file).toBeLessThanOrEqual(10);
    }
    console.info(`PDQ distances to ${csv}:`, distances);
    expect(Math.max(...Object.values(distances))).toBeLessThanOrEqual(10);
  });

  it('every modified copy of the bridge photo is within 31 bits of the original', async () => {
    const files = ['blur-a-little', 'blur-a-lot', 'high-contrast', 'high-saturation', 'sharpen-a-little', 'sharpen-a-lot', 'shrink-a-little', 'shrink-a-lot', 'square-128x128', 'square-256x256', 'square-512x512'];
    const original = await pdqOf(read('data/bridge-mods/aaa-orig.jpg'));
    const distances = Object.fromEntries(await Promise.all(files.map(async (name) => [name, distance(original.pdq, (await pdqOf(read(`data/bridge-mods/${name}.jpg`))).pdq)] as const)));
    console.info('PDQ distances of the bridge modifications to the original:', distances);
    for (const [name, d] of Object.entries(distances)) expect(d, name).toBeLessThanOrEqual(MATCH);
  });

  it('the eight dihedral hashes of the bridge photo match its rotated and flipped copies', async () => {
    const files = ['1-original', '2-rotate-90', '3-rotate-180', '4-rotate-270', '5-flipx', '6-flipy', '7-flip-plus-1', '8-flip-minus-1'];
    const original = await pdqOf(read('data/reg-test-input/dih/bridge-1-original.jpg'));
    const variants: Record<string, string> = { original: original.pdq, ...original.dihedral };
    const distances: Record<string, number> = {};
    for (const [index, file] of files.entries()) {
      const copy = await pdqOf(read(`data/reg-test-input/dih/bridge-${file}.jpg`));
      const orientation = DIHEDRAL_ORIENTATIONS[index]!;
      distances[orientation] = distance(copy.pdq, variants[orientation]!);
      expect(distances[orientation], orientation).toBeLessThanOrEqual(MATCH);
      // The copy is far from the original unless it is the original.
      if (orientation !== 'original') expect(distance(copy.pdq, original.pdq)).toBeGreaterThan(MATCH * 2);
    }
    console.info('PDQ distances of each rotated/flipped copy to the dihedral hash of the original:', distances);
  });
});

describe('image hashing on generated images', () => {
  it('gives MD5 and SHA-256 of the bytes as sent', async () => {
    const bytes = await syntheticImage();
    const { hashes } = await hashImage(bytes);
    const { createHash } = await import('node:crypto');
    expect(hashes.md5).toBe(createHash('md5').update(bytes).digest('hex'));
    expect(hashes.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('matches a resized, re-encoded copy and tells different images apart', async () => {
    const original = await pdqOf(await syntheticImage({ width: 800, height: 600, seed: 3 }));
    const copy = await pdqOf(await sharp(await syntheticImage({ width: 800, height: 600, seed: 3, format: 'png' })).resize(300).webp({ quality: 40 }).toBuffer());
    const other = await pdqOf(await syntheticImage({ width: 800, height: 600, seed: 4 }));
    expect(original.quality).toBeGreaterThanOrEqual(50);
    expect(distance(original.pdq, copy.pdq)).toBeLessThanOrEqual(MATCH);
    expect(distance(original.pdq, other.pdq)).toBeGreaterThan(MATCH * 2);
  });

  it('applies the EXIF orientation before hashing', async () => {
    const pixels = syntheticPixels(320, 240, 5);
    const upright = await sharp(pixels, { raw: { width: 320, height: 240, channels: 3 } }).rotate(90).jpeg().toBuffer();
    // Stored sideways with orientation 6 ("rotate 90° clockwise to display"): viewers show the upright image.
    const tagged = await sharp(pixels, { raw: { width: 320, height: 240, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const a = await hashImage(upright);
    const b = await hashImage(tagged);
    expect([b.image.width, b.image.height]).toEqual([240, 320]);
    expect(hammingDistance(a.pdqBits, b.pdqBits)).toBeLessThanOrEqual(8);
  });

  it('judges an animated image by its first frame', async () => {
    const first = syntheticPixels(64, 64, 7);
    const second = syntheticPixels(64, 64, 8);
    const animated = await sharp(Buffer.concat([first, second]), { raw: { width: 64, height: 128, channels: 3, pageHeight: 64 } as never })
      .gif({ loop: 0 })
      .toBuffer();
    const hashed = await hashImage(animated);
    expect(hashed.image.frames).toBe(2);
    expect([hashed.image.width, hashed.image.height]).toEqual([64, 64]);
    const firstAlone = await hashImage(await sharp(first, { raw: { width: 64, height: 64, channels: 3 } }).gif().toBuffer());
    expect(hammingDistance(hashed.pdqBits, firstAlone.pdqBits)).toBeLessThanOrEqual(MATCH);
  });

  it('refuses a decompression bomb from its header with a 413, quickly', async () => {
    const bomb = pngBomb();
    expect(bomb.length).toBeLessThan(1000);
    const started = performance.now();
    await expect(hashImage(bomb)).rejects.toMatchObject({ statusCode: 413, code: 'image_too_large' });
    // A header read, not a 2.5-gigapixel decode (which would take seconds and gigabytes).
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses bytes that are not an image, and SVG, with a 400', async () => {
    await expect(hashImage(Buffer.from('not an image'))).rejects.toMatchObject({ statusCode: 400, code: 'invalid_image' });
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    await expect(hashImage(svg)).rejects.toMatchObject({ statusCode: 400, code: 'unsupported_image' });
    const truncated = (await syntheticImage()).subarray(0, 400);
    await expect(hashImage(truncated)).rejects.toMatchObject({ statusCode: 400 });
  });
});
