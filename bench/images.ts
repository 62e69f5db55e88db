/**
 * Image hashing and hash-bank lookup speed.
 *
 *   npm run bench:images -- [--json] [--images N] [--bank N] [--queries N]
 *
 * Hashing: a generated photo-like 1-megapixel JPEG (1000 × 1000) decoded and hashed (MD5, SHA-256, PDQ) N times,
 * one at a time with libvips limited to one thread; the reference in the same run is the decode alone, so the
 * ratio says what PDQ adds on any machine. CPU seconds are reported too: on a shared machine wall time misleads.
 *
 * Lookup: a multi-index PDQ table of `--bank` random hashes (1,000,000 by default), queried at distance ≤ 31 with
 * random hashes (misses) and with banked hashes with 1–31 bits flipped (hits); the reference is a linear scan of
 * the same hashes for a few queries.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { PdqIndex, decodeImage, hammingDistance, hashImage } from '../src/images/index.ts';
import { syntheticImage } from '../test/support/images.ts';

const TARGET_IMAGES_PER_SECOND = 100;
const TARGET_P99_MS = 1;
const RADIUS = 31;

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    images: { type: 'string', default: '200' },
    bank: { type: 'string', default: '1000000' },
    queries: { type: 'string', default: '2000' },
  },
});

sharp.concurrency(1);

async function timed(count: number, work: () => Promise<unknown>): Promise<{ per_second: number; per_cpu_second: number; ms_each: number }> {
  for (let i = 0; i < Math.min(10, count); i++) await work();
  const cpu = process.cpuUsage();
  const wall = performance.now();
  for (let i = 0; i < count; i++) await work();
  const seconds = (performance.now() - wall) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  return { per_second: count / seconds, per_cpu_second: count / cpuSeconds, ms_each: (seconds * 1000) / count };
}

async function hashing() {
  const count = Number(values.images);
  const jpeg = await syntheticImage({ width: 1000, height: 1000, seed: 42, format: 'jpeg' });
  const decodeOnly = await timed(count, () => decodeImage(jpeg));
  const hashed = await timed(count, () => hashImage(jpeg));
  return {
    image: { width: 1000, height: 1000, format: 'jpeg', bytes: jpeg.length },
    images: count,
    decode_only: decodeOnly,
    decode_and_hash: hashed,
    hash_over_decode_time: decodeOnly.per_second / hashed.per_second,
    target_images_per_second: TARGET_IMAGES_PER_SECOND,
    meets_target_per_cpu_second: hashed.per_cpu_second >= TARGET_IMAGES_PER_SECOND,
  };
}

function flipBits(hash: Uint8Array, bits: number): Uint8Array {
  const copy = Uint8Array.from(hash);
  const chosen = new Set<number>();
  while (chosen.size < bits) chosen.add(randomBytes(1)[0]!);
  for (const bit of chosen) copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

function lookup() {
  const size = Number(values.bank);
  const queries = Number(values.queries);
  const all = randomBytes(size * 32);
  const hashes = Array.from({ length: size }, (_, i) => all.subarray(i * 32, i * 32 + 32));
  const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  let started = performance.now();
  const index = new PdqIndex();
  hashes.forEach((hash, id) => index.add(id, hash));
  index.nearest(hashes[0]!, 0); // builds the slot tables
  const buildSeconds = (performance.now() - started) / 1000;
  const memoryMb = (process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heapBefore) / 2 ** 20;

  const needles = Array.from({ length: queries }, (_, i) =>
    i % 2 ? flipBits(hashes[(i * 7919) % size]!, 1 + (i % RADIUS)) : new Uint8Array(randomBytes(32)),
  );
  const times: number[] = [];
  let hits = 0;
  const cpu = process.cpuUsage();
  for (const needle of needles) {
    started = performance.now();
    if (index.nearest(needle, RADIUS)) hits++;
    times.push(performance.now() - started);
  }
  const used = process.cpuUsage(cpu);
  times.sort((a, b) => a - b);

  const scanQueries = needles.slice(0, 10);
  started = performance.now();
  for (const needle of scanQueries) {
    let best = RADIUS + 1;
    for (const hash of hashes) best = Math.min(best, hammingDistance(hash, needle));
  }
  const scanMs = (performance.now() - started) / scanQueries.length;
  const p99 = percentile(times, 0.99);
  return {
    bank_hashes: size,
    radius: RADIUS,
    queries,
    hits,
    expected_hits: Math.floor(queries / 2),
    build_seconds: buildSeconds,
    index_memory_mb: memoryMb,
    cpu_ms_per_query: (used.user + used.system) / 1000 / queries,
    p50_ms: percentile(times, 0.5),
    p99_ms: p99,
    max_ms: times.at(-1)!,
    linear_scan_ms: scanMs,
    speedup_over_linear_scan_p99: scanMs / p99,
    target_p99_ms: TARGET_P99_MS,
    meets_target: p99 <= TARGET_P99_MS,
  };
}

const report = { node: process.version, sharp: sharp.versions.sharp, hashing: await hashing(), lookup: lookup() };
if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
else console.log(JSON.stringify(report, null, 2));
