/**
 * Open-addressing table from 32-bit hashes to small integers, so that tokens and phrases are looked up by
 * their hash without building strings. Key 0 marks an empty slot (a hash of 0 is remapped to 1).
 */
export class HashIndex {
  /** Slot i holds its key (as int32) at 2i and its value at 2i + 1, so that a lookup reads one cache line. */
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.slots = new Int32Array(2 * size);
    this.mask = size - 1;
  }

  static fromKeys(keys: ArrayLike<number>): HashIndex {
    const index = new HashIndex(keys.length);
    for (let i = 0; i < keys.length; i++) index.set(keys[i]!, i);
    return index;
  }

  /** Stores value under key unless the key is already present (first wins). */
  set(key: number, value: number): void {
    const k = key === 0 ? 1 : key | 0;
    let slot = k & this.mask;
    while (this.slots[2 * slot] !== 0) {
      if (this.slots[2 * slot] === k) return;
      slot = (slot + 1) & this.mask;
    }
    this.slots[2 * slot] = k;
    this.slots[2 * slot + 1] = value;
  }

  /** The value stored under key, or -1. */
  get(key: number): number {
    const k = key === 0 ? 1 : key | 0;
    let slot = k & this.mask;
    for (;;) {
      const stored = this.slots[2 * slot]!;
      if (stored === k) return this.slots[2 * slot + 1]!;
      if (stored === 0) return -1;
      slot = (slot + 1) & this.mask;
    }
  }
}
