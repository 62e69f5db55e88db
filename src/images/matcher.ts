import type { PdqHash } from './pdq.ts';

/**
 * Multi-index hashing (Norouzi et al. 2014, as upstream's `upstream-README-MIH.md` describes it) over 256-bit
 * hashes cut into 16 slots of 16 bits: two hashes within distance d agree within ⌊d/16⌋ bits on at least one slot,
 * so a lookup probes, in each slot, the values within that radius of the needle's (17 per slot at d ≤ 31) and
 * checks the full distance of only the hashes found there. Against a million random hashes that is a few
 * thousand candidates instead of a million.
 *
 * Each slot's table is a sorted posting list (offsets into one Uint32Array), built in bulk; hashes added later sit
 * in a small unsorted tail scanned linearly until it is folded in, and removed ones are tombstoned until then.
 * No maintained npm package does MIH over PDQ (faiss has no JavaScript build), hence this file.
 */
export class PdqIndex {
  /** 8 little-endian 32-bit words per hash. */
  private words = new Uint32Array(0);
  private ids: number[] = [];
  private removed = new Uint8Array(0);
  private removedCount = 0;
  private byId = new Map<number, number>();
  /** Per slot: start offset of each 16-bit value's postings (65,537 entries), then the postings. */
  private offsets: Uint32Array[] = [];
  private postings: Uint32Array[] = [];
  /** Hashes at or after this position are not in the slot tables yet. */
  private indexed = 0;

  /** Hashes in the index. */
  get size(): number {
    return this.ids.length - this.removedCount;
  }

  /** Adds a hash under an id (replacing a hash the id had). Bulk loads cost one rebuild, at the next lookup. */
  add(id: number, hash: PdqHash): void {
    this.remove(id);
    const position = this.ids.length;
    if ((position + 1) * 8 > this.words.length) this.grow(Math.max(1024, position * 2));
    this.words.set(toWords(hash), position * 8);
    this.ids.push(id);
    this.byId.set(id, position);
  }

  remove(id: number): boolean {
    const position = this.byId.get(id);
    if (position === undefined) return false;
    this.byId.delete(id);
    this.removed[position] = 1;
    this.removedCount++;
    if (this.removedCount > Math.max(4096, this.ids.length / 4)) this.compact();
    return true;
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  /**
   * The closest hash within `maxDistance` (0–63) of the needle, or undefined. Exact: MIH never misses a hash
   * within the radius.
   */
  nearest(needle: PdqHash, maxDistance: number): { id: number; distance: number } | undefined {
    if (maxDistance < 0 || maxDistance > 63) throw new RangeError('PdqIndex: a search radius is 0–63 bits');
    if (this.ids.length - this.indexed > Math.max(1024, this.indexed / 8)) this.rebuild();
    const query = toWords(needle);
    const found = { position: -1, distance: maxDistance + 1 };
    if (this.indexed > 0) {
      const probes = probesWithin(maxDistance >> 4);
      for (let slot = 0; slot < 16; slot++) {
        const value = slotValue(query, slot);
        const offsets = this.offsets[slot]!;
        const postings = this.postings[slot]!;
        for (let k = 0; k < probes.length; k++) {
          const probe = value ^ probes[k]!;
          this.scan(postings, offsets[probe]!, offsets[probe + 1]!, query, found);
        }
      }
    }
    if (this.indexed < this.ids.length) this.scan(null, this.indexed, this.ids.length, query, found);
    return found.position < 0 ? undefined : { id: this.ids[found.position]!, distance: found.distance };
  }

  /**
   * Checks candidates `from`..`to` (positions in `postings`, or positions themselves when `postings` is null) and
   * keeps the closest in `found` (ties: the earliest position). The hot loop of a lookup: words are compared half
   * first, and a candidate already past the best distance after four words is dropped.
   */
  private scan(postings: Uint32Array | null, from: number, to: number, query: Uint32Array, found: { position: number; distance: number }): void {
    const words = this.words;
    const removed = this.removed;
    const q0 = query[0]!, q1 = query[1]!, q2 = query[2]!, q3 = query[3]!, q4 = query[4]!, q5 = query[5]!, q6 = query[6]!, q7 = query[7]!;
    let best = found.position;
    let bestDistance = found.distance;
    for (let p = from; p < to; p++) {
      const position = postings === null ? p : postings[p]!;
      const base = position * 8;
      let distance = popcount32(words[base]! ^ q0) + popcount32(words[base + 1]! ^ q1) + popcount32(words[base + 2]! ^ q2) + popcount32(words[base + 3]! ^ q3);
      if (distance > bestDistance) continue;
      distance += popcount32(words[base + 4]! ^ q4) + popcount32(words[base + 5]! ^ q5) + popcount32(words[base + 6]! ^ q6) + popcount32(words[base + 7]! ^ q7);
      if ((distance < bestDistance || (distance === bestDistance && position < best)) && !removed[position]) {
        best = position;
        bestDistance = distance;
      }
    }
    found.position = best;
    found.distance = bestDistance;
  }

  /** Folds the unindexed tail into the slot tables (counting sort per slot: linear in the number of hashes). */
  private rebuild(): void {
    const count = this.ids.length;
    this.offsets = [];
    this.postings = [];
    for (let slot = 0; slot < 16; slot++) {
      const offsets = new Uint32Array(65_537);
      for (let position = 0; position < count; position++) offsets[slotAt(this.words, position, slot) + 1]!++;
      for (let v = 0; v < 65_536; v++) offsets[v + 1]! += offsets[v]!;
      const cursor = offsets.slice(0, 65_536);
      const postings = new Uint32Array(count);
      for (let position = 0; position < count; position++) postings[cursor[slotAt(this.words, position, slot)]!++] = position;
      this.offsets.push(offsets);
      this.postings.push(postings);
    }
    this.indexed = count;
  }

  /** Drops tombstoned hashes and renumbers the rest. */
  private compact(): void {
    const keep: number[] = [];
    for (let position = 0; position < this.ids.length; position++) if (!this.removed[position]) keep.push(position);
    const words = new Uint32Array(Math.max(1024, keep.length * 2) * 8);
    const ids: number[] = [];
    keep.forEach((position, next) => {
      words.set(this.words.subarray(position * 8, position * 8 + 8), next * 8);
      ids.push(this.ids[position]!);
    });
    this.words = words;
    this.ids = ids;
    this.removed = new Uint8Array(words.length / 8);
    this.removedCount = 0;
    this.byId = new Map(ids.map((id, position) => [id, position]));
    this.rebuild();
  }

  private grow(capacity: number): void {
    const words = new Uint32Array(capacity * 8);
    words.set(this.words);
    this.words = words;
    const removed = new Uint8Array(capacity);
    removed.set(this.removed);
    this.removed = removed;
  }
}

function toWords(hash: PdqHash): Uint32Array {
  const words = new Uint32Array(8);
  for (let w = 0; w < 8; w++) words[w] = (hash[w * 4]! << 24) | (hash[w * 4 + 1]! << 16) | (hash[w * 4 + 2]! << 8) | hash[w * 4 + 3]!;
  return words;
}

function slotValue(words: Uint32Array, slot: number): number {
  return (words[slot >> 1]! >>> ((slot & 1) * 16)) & 0xffff;
}

function slotAt(words: Uint32Array, position: number, slot: number): number {
  return (words[position * 8 + (slot >> 1)]! >>> ((slot & 1) * 16)) & 0xffff;
}

function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** The XOR masks of the 16-bit values within `radius` bits of a value (radius 0–3: at most 697 masks), computed once. */
const PROBES: Uint16Array[] = [];
function probesWithin(radius: number): Uint16Array {
  if (!PROBES[radius]) {
    const masks: number[] = [];
    const walk = (mask: number, left: number, from: number) => {
      masks.push(mask);
      if (left > 0) for (let bit = from; bit < 16; bit++) walk(mask | (1 << bit), left - 1, bit + 1);
    };
    walk(0, radius, 0);
    PROBES[radius] = Uint16Array.from(masks);
  }
  return PROBES[radius];
}
