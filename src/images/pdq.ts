/**
 * PDQ, Meta's perceptual image hash (facebook/ThreatExchange `pdq/`, hashing.pdf), written for Warden from the
 * algorithm's description and checked against the upstream implementations' hashes in ../shared/reference/pdq:
 * luminance → two passes of a Jarosz (tent-like box) filter sized to the 64×64 target → decimation to 64×64 →
 * the 16×16 low-frequency block of a 2-D DCT (DC row and column skipped) → one bit per coefficient above the median.
 * The quality score (0–100) sums the 64×64 image's gradients; upstream advises discarding hashes of quality < 50.
 * No npm package implements PDQ in pure JavaScript (the ones that exist bind the C++ code), hence this file.
 */

/** A 256-bit PDQ hash: 32 bytes in the upstream hex order (see {@link pdqToHex}). */
export type PdqHash = Uint8Array;

export interface PdqResult {
  hash: PdqHash;
  quality: number;
}

/** The eight dihedral transforms, named as upstream names its test images. */
export const DIHEDRAL_ORIENTATIONS = ['original', 'rotate90', 'rotate180', 'rotate270', 'flipX', 'flipY', 'flipPlus1', 'flipMinus1'] as const;
export type DihedralOrientation = (typeof DIHEDRAL_ORIENTATIONS)[number];

const PASSES = 2;
const SIZE = 64;
const DCT_SIZE = 16;

/** The 16×64 DCT-II basis without its DC row: row i is frequency i + 1, scaled by √(2/64). */
const DCT_MATRIX: Float64Array = (() => {
  const matrix = new Float64Array(DCT_SIZE * SIZE);
  const scale = Math.sqrt(2 / SIZE);
  for (let i = 0; i < DCT_SIZE; i++) {
    for (let j = 0; j < SIZE; j++) matrix[i * SIZE + j] = scale * Math.cos((Math.PI / 2 / SIZE) * (i + 1) * (2 * j + 1));
  }
  return matrix;
})();

/**
 * Hashes a luminance image (row-major, values 0–255). The buffer is used as scratch space and overwritten.
 * @returns the hash of the image as given, and its quality.
 */
export function pdqFromLuma(luma: Float32Array, width: number, height: number): PdqResult {
  const { dct, quality } = pdqDct(luma, width, height);
  return { hash: bitsAboveMedian(dct), quality };
}

/** Like {@link pdqFromLuma}, with the hashes of all eight rotations and flips of the image at once (from the same DCT). */
export function pdqDihedralFromLuma(luma: Float32Array, width: number, height: number): { hashes: Record<DihedralOrientation, PdqHash>; quality: number } {
  const { dct, quality } = pdqDct(luma, width, height);
  const hashes = {} as Record<DihedralOrientation, PdqHash>;
  for (const orientation of DIHEDRAL_ORIENTATIONS) hashes[orientation] = bitsAboveMedian(transformDct(dct, orientation));
  return { hashes, quality };
}

function pdqDct(luma: Float32Array, width: number, height: number): { dct: Float64Array; quality: number } {
  if (width < 1 || height < 1 || luma.length < width * height) throw new RangeError('pdq: the luminance buffer does not match the dimensions');
  const scratch = scratchOf(width * height);
  const windowAlongRows = jaroszWindow(width);
  const windowAlongCols = jaroszWindow(height);
  for (let pass = 0; pass < PASSES; pass++) {
    for (let row = 0; row < height; row++) boxRow(luma, scratch, row * width, width, windowAlongRows);
    boxColumns(scratch, luma, width, height, windowAlongCols);
  }
  const small = decimate(luma, width, height);
  return { dct: dct64To16(small), quality: imageQuality(small) };
}

let scratchBuffer = new Float32Array(0);

/**
 * One scratch buffer for the whole process, grown as needed: allocating (and zeroing) a megabyte per image cost
 * as much as the filtering itself. Hashing is synchronous, so no two hashes share it at once.
 */
function scratchOf(length: number): Float32Array {
  if (scratchBuffer.length < length) scratchBuffer = new Float32Array(length);
  return scratchBuffer.subarray(0, length);
}

/** Window of the box filter so that two passes approximate a tent over one output pixel (upstream's formula). */
function jaroszWindow(dimension: number): number {
  return Math.floor((dimension + 2 * SIZE - 1) / (2 * SIZE));
}

/**
 * A running-mean box filter along one row (`length` samples from `offset`), centred,
 * with the window shrinking at both ends instead of padding. The window is never longer than the line
 * ({@link jaroszWindow} is about a 128th of it).
 */
function boxRow(input: Float32Array, output: Float32Array, offset: number, length: number, window: number): void {
  const half = Math.floor((window + 2) / 2);
  const full = Math.max(0, length - window);
  let sum = 0;
  let count = 0;
  let read = offset;
  let drop = offset;
  let write = offset;
  for (let i = 0; i < half - 1; i++, read++) {
    sum += input[read]!;
    count++;
  }
  for (let i = 0; i < window - half + 1; i++, read++, write++) {
    sum += input[read]!;
    count++;
    output[write] = sum / count;
  }
  const scale = 1 / count;
  for (let i = 0; i < full; i++, read++, drop++, write++) {
    sum += input[read]! - input[drop]!;
    output[write] = sum * scale;
  }
  for (let i = 0; i < half - 1; i++, drop++, write++) {
    sum -= input[drop]!;
    count--;
    output[write] = sum / count;
  }
}

/**
 * {@link boxRow} down every column at once, a row at a time (the per-column running sums sit side by side), so the
 * image is read in memory order instead of one cache line per pixel.
 */
function boxColumns(input: Float32Array, output: Float32Array, width: number, height: number, window: number): void {
  const half = Math.floor((window + 2) / 2);
  const sums = new Float64Array(width);
  let count = 0;
  let write = 0;
  // Rows enter the window at `row` and leave it `window` rows later; a row is written once half a window is in.
  for (let row = 0; row < height + half - 1; row++) {
    const enter = row < height ? row * width : -1;
    const leave = row >= window ? (row - window) * width : -1;
    if (enter >= 0) count++;
    if (leave >= 0) count--;
    if (enter >= 0 && leave >= 0) for (let x = 0; x < width; x++) sums[x] = sums[x]! + input[enter + x]! - input[leave + x]!;
    else if (enter >= 0) for (let x = 0; x < width; x++) sums[x] = sums[x]! + input[enter + x]!;
    else if (leave >= 0) for (let x = 0; x < width; x++) sums[x] = sums[x]! - input[leave + x]!;
    if (row < half - 1) continue;
    const scale = 1 / count;
    const out = write++ * width;
    for (let x = 0; x < width; x++) output[out + x] = sums[x]! * scale;
  }
}

/** Samples the filtered image at the centres of a 64×64 grid. */
function decimate(input: Float32Array, width: number, height: number): Float64Array {
  const out = new Float64Array(SIZE * SIZE);
  for (let i = 0; i < SIZE; i++) {
    const row = Math.floor(((i + 0.5) * height) / SIZE);
    for (let j = 0; j < SIZE; j++) out[i * SIZE + j] = input[row * width + Math.floor(((j + 0.5) * width) / SIZE)]!;
  }
  return out;
}

/** Sum of absolute neighbour differences on the 64×64 image, in percent of full scale, scaled to 0–100. */
function imageQuality(small: Float64Array): number {
  let gradients = 0;
  for (let i = 0; i < SIZE; i++) {
    for (let j = 0; j < SIZE; j++) {
      const here = small[i * SIZE + j]!;
      if (i + 1 < SIZE) gradients += Math.abs(Math.trunc(((here - small[(i + 1) * SIZE + j]!) * 100) / 255));
      if (j + 1 < SIZE) gradients += Math.abs(Math.trunc(((here - small[i * SIZE + j + 1]!) * 100) / 255));
    }
  }
  return Math.min(100, Math.floor(gradients / 90));
}

/** D · A · Dᵀ: the 16×16 block of low (non-DC) frequencies. */
function dct64To16(a: Float64Array): Float64Array {
  const b = new Float64Array(DCT_SIZE * SIZE);
  for (let i = 0; i < DCT_SIZE; i++) {
    for (let k = 0; k < SIZE; k++) {
      const d = DCT_MATRIX[i * SIZE + k]!;
      for (let j = 0; j < SIZE; j++) b[i * SIZE + j] = b[i * SIZE + j]! + d * a[k * SIZE + j]!;
    }
  }
  const c = new Float64Array(DCT_SIZE * DCT_SIZE);
  for (let i = 0; i < DCT_SIZE; i++) {
    for (let j = 0; j < DCT_SIZE; j++) {
      let sum = 0;
      for (let k = 0; k < SIZE; k++) sum += b[i * SIZE + k]! * DCT_MATRIX[j * SIZE + k]!;
      c[i * DCT_SIZE + j] = sum;
    }
  }
  return c;
}

/**
 * The DCT of a rotated or flipped image, from the original's: mirroring an axis multiplies frequency f by (−1)^f
 * (coefficient index i holds frequency i + 1), and a quarter turn transposes.
 */
function transformDct(dct: Float64Array, orientation: DihedralOrientation): Float64Array {
  const out = new Float64Array(dct.length);
  const odd = (n: number) => (n & 1) === 0; // index even ⇔ frequency odd ⇔ sign flips under mirroring
  for (let i = 0; i < DCT_SIZE; i++) {
    for (let j = 0; j < DCT_SIZE; j++) {
      const value = dct[i * DCT_SIZE + j]!;
      const flipRows = odd(i) ? -1 : 1; // mirror top↔bottom
      const flipCols = odd(j) ? -1 : 1; // mirror left↔right
      switch (orientation) {
        case 'original':
          out[i * DCT_SIZE + j] = value;
          break;
        case 'flipX':
          out[i * DCT_SIZE + j] = value * flipRows;
          break;
        case 'flipY':
          out[i * DCT_SIZE + j] = value * flipCols;
          break;
        case 'rotate180':
          out[i * DCT_SIZE + j] = value * flipRows * flipCols;
          break;
        case 'flipPlus1':
          out[j * DCT_SIZE + i] = value;
          break;
        case 'flipMinus1':
          out[j * DCT_SIZE + i] = value * flipRows * flipCols;
          break;
        case 'rotate90':
          out[j * DCT_SIZE + i] = value * flipCols;
          break;
        case 'rotate270':
          out[j * DCT_SIZE + i] = value * flipRows;
          break;
      }
    }
  }
  return out;
}

/** One bit per coefficient: set when it is above the median (the 128th smallest, as upstream's Torben median). */
function bitsAboveMedian(dct: Float64Array): PdqHash {
  const median = Float64Array.from(dct).sort()[dct.length / 2 - 1]!;
  const hash = new Uint8Array(32);
  for (let k = 0; k < dct.length; k++) {
    // Upstream stores bit k in 16-bit word k/16 and prints the words from the last to the first, big-endian.
    if (dct[k]! > median) {
      const word = k >> 4;
      const bit = k & 15;
      hash[(15 - word) * 2 + (bit < 8 ? 1 : 0)]! |= 1 << (bit & 7);
    }
  }
  return hash;
}

/** The 64-hex-digit form ThreatExchange and the upstream tools print. */
export function pdqToHex(hash: PdqHash): string {
  return Buffer.from(hash).toString('hex');
}

/** Parses 64 hex digits; undefined when the text is not a PDQ hash. */
export function pdqFromHex(text: string): PdqHash | undefined {
  if (!/^[0-9a-fA-F]{64}$/.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, 'hex'));
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, n) => {
  let count = 0;
  for (let v = n; v; v >>= 1) count += v & 1;
  return count;
});

/** Hamming distance between two hashes (0–256). */
export function hammingDistance(a: PdqHash, b: PdqHash): number {
  let distance = 0;
  for (let i = 0; i < 32; i++) distance += POPCOUNT[a[i]! ^ b[i]!]!;
  return distance;
}
