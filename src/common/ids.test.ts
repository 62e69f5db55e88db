import { describe, expect, it } from 'vitest';
import { canonicalJson } from './ids.ts';

/** The definition canonicalJson must agree with: sorted copies of every object, then JSON.stringify. */
function reference(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return Object.fromEntries(entries.map(([k, x]) => [k, sortKeys(x)]));
    }
    return v;
  };
  return JSON.stringify(sortKeys(value));
}

/** A pseudo-random JSON-ish value (a fixed seed: the same values on every run). */
function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 7 : 10));
  const keys = ['a', 'b', 'B', 'é', 'z', '10', '2', '0', '01', '-1', '4294967295', '4294967294', '1.5', 'key with space', '"q"', '\u{1f600}', '__proto_', ''];
  switch (pick) {
    case 0: return null;
    case 1: return next() < 0.5;
    case 2: return [0, -0, 1.5, 1e21, -3e-7, NaN, Infinity, 42][Math.floor(next() * 8)];
    case 3: return ['', 'x', 'line\nbreak', 'quote"', '\u0001', '☃'][Math.floor(next() * 6)];
    case 4: return undefined;
    case 5: return () => 1;
    case 6: return new Date(1_700_000_000_000);
    case 7: {
      const items = Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
      if (next() < 0.2) items.length += 2; // holes
      return items;
    }
    default: {
      const record: Record<string, unknown> = {};
      for (let i = Math.floor(next() * 5); i > 0; i -= 1) record[keys[Math.floor(next() * keys.length)]!] = randomValue(next, depth + 1);
      return record;
    }
  }
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: [true, { d: null, c: 'x', e: undefined }] })).toBe('{"a":[true,{"c":"x","d":null}],"b":1}');
    // Array-index keys first, in numeric order, as JSON.stringify writes any object's.
    expect(canonicalJson({ b: 1, 10: 2, 2: 3, a: 4 })).toBe('{"2":3,"10":2,"a":4,"b":1}');
  });

  it('writes exactly what JSON.stringify of sorted copies writes, for 5,000 random values', () => {
    let seed = 7;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 5000; i += 1) {
      const value = randomValue(next, 0);
      expect(canonicalJson(value)).toBe(reference(value));
    }
  });

  it('refuses a bigint, as JSON.stringify does', () => {
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
  });
});
