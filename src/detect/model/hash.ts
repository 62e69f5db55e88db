/** 32-bit FNV-1a over UTF-16 units, seeded; the one hash that featurisation, training and data splits use. */
export const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export function hashUnit(hash: number, unit: number): number {
  return Math.imul(hash ^ unit, FNV_PRIME) >>> 0;
}

export function hashString(text: string, seed = FNV_OFFSET): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) hash = hashUnit(hash, text.charCodeAt(i));
  return hash;
}

/** Combines two hashes (e.g. the words of a bigram) into one. */
export function combineHashes(a: number, b: number): number {
  return Math.imul((a ^ Math.imul(b, 0x9e3779b1)) >>> 0, FNV_PRIME) >>> 0;
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), for seeded shuffles and initialisation. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
