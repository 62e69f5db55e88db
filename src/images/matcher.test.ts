import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PdqIndex } from './matcher.ts';
import { hammingDistance } from './pdq.ts';

/** A copy of `hash` with `bits` distinct bits flipped. */
function flip(hash: Uint8Array, bits: number, seed: number): Uint8Array {
  const copy = Uint8Array.from(hash);
  const chosen = new Set<number>();
  for (let k = 0; chosen.size < bits; k++) chosen.add((seed * 7919 + k * 104_729) % 256);
  for (const bit of chosen) copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
}

describe('PdqIndex (multi-index hashing)', () => {
  it('finds exactly what a linear scan finds, at every radius, with adds and removes in between', () => {
    const index = new PdqIndex();
    const hashes = Array.from({ length: 3000 }, () => new Uint8Array(randomBytes(32)));
    hashes.forEach((hash, id) => index.add(id, hash));
    for (let id = 0; id < 3000; id += 3) index.remove(id);
    const needles = hashes.slice(0, 200).map((hash, k) => flip(hash, k % 64, k));
    needles.push(...Array.from({ length: 50 }, () => new Uint8Array(randomBytes(32))));
    for (const radius of [0, 8, 15, 16, 31, 47, 63]) {
      for (const needle of needles) {
        let expected: { id: number; distance: number } | undefined;
        hashes.forEach((hash, id) => {
          if (id % 3 === 0) return;
          const distance = hammingDistance(hash, needle);
          if (distance <= radius && (!expected || distance < expected.distance)) expected = { id, distance };
        });
        expect(index.nearest(needle, radius)?.distance).toBe(expected?.distance);
      }
    }
    expect(index.size).toBe(2000);
  });

  it('sees hashes added after the tables were built, and forgets removed ones', () => {
    const index = new PdqIndex();
    const a = new Uint8Array(randomBytes(32));
    index.add(1, a);
    expect(index.nearest(flip(a, 20, 1), 31)).toEqual({ id: 1, distance: 20 });
    const b = new Uint8Array(randomBytes(32));
    index.add(2, b);
    expect(index.nearest(b, 0)).toEqual({ id: 2, distance: 0 });
    expect(index.remove(2)).toBe(true);
    expect(index.nearest(b, 31)).toBeUndefined();
    expect(index.remove(2)).toBe(false);
  });
});
