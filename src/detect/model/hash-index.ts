/**
 * Open-addressing table from 32-bit hashes to small integers, so that tokens and phrases are looked up by
 * their hash without building strings. Key 0 marks an empty slot (a hash of 0 is remapped to 1).
 */
export class HashIndex {
  private readonly keys: Uint32Array;
  private readonly values: Int32Array;
  private readonly mask: number;

  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.keys = new Uint32Array(size);
    this.values = new Int32Array(size);
    this.mask = size - 1;
  }

  static fromKeys(keys: ArrayLike<number>): HashIndex {
    const index = new HashIndex(keys.length);
    for (let i = 0; i < keys.length; i++) index.set(keys[i]!, i);
    return index;
  }

  /** Stores value under key unless the key is already present (first wins). */
  set(key: number, value: number): void {
    const k = key === 0 ? 1 : key >>> 0;
    let slot = k & this.mask;
    while (this.keys[slot] !== 0) {
      if (this.keys[slot] === k) return;
      slot = (slot + 1) & this.mask;
    }
    this.keys[slot] = k;
    this.values[slot] = value;
  }

  /** The value stored under key, or -1. */
  get(key: number): number {
    const k = key === 0 ? 1 : key >>> 0;
    let slot = k & this.mask;
    for (;;) {
      const stored = this.keys[slot]!;
      if (stored === k) return this.values[slot]!;
      if (stored === 0) return -1;
      slot = (slot + 1) & this.mask;
    }
  }
}
