import type { PdqHash } from './pdq.ts';

/**
 * Multi-index hashing (Norouzi et al. 2014, as upstream's `upstream-README-MIH.md` describes it) over 256-bit
 * hashes cut into 16 slots of 16 bits: two hashes within distance d agree within ⌊d/16⌋ bits on at least one slot,
 * so a lookup probes, in each slot, the values within that radius of the needle's (17 per slot at d ≤ 31) and
 * checks the full distance of only the hashes found there. Against a million random hashes that is about 4,150
 * candidates instead of a million.
 *
 * Each candidate used to be a random read into the 32-byte hashes (a cache and TLB miss, ~150–200 ns here: 0.5–0.7
 * ms per query at 1M). Now each slot's posting entry carries, next to the hash's position, 96 more bits of the hash
 * (three 32-bit words other than the slot's own): the distance on those bits plus the slot's own (known from the
 * probe) is a lower bound of the full distance, above the radius for all but ~0.05% of random candidates, so a
 * lookup reads its 272 buckets sequentially and touches the full hashes only for the few that survive. The price
 * is memory: 16 bytes per hash per slot, 256 MB of postings per million hashes (was 64 MB).
 *
 * Posting lists are built in bulk by counting sort; hashes added later sit in a small unsorted tail scanned
 * linearly until it is folded in, and removed ones are tombstoned until then. No maintained npm package does MIH
 * over PDQ (faiss has no JavaScript build), hence this file.
 */
export class PdqIndex {
  /** 8 big-endian-ordered 32-bit words per hash. */
  private words = new Uint32Array(0);
  private ids: number[] = [];
  private removed = new Uint8Array(0);
  private removedCount = 0;
  private byId = new Map<number, number>();
  /** Start of each 16-bit value's postings, 65,537 entries per slot. */
  private offsets = new Uint32Array(0);
  /** Per slot: ENTRY words per hash — the position, then the words FILTER_WORDS[slot]. */
  private postings: Uint32Array[] = [];
  /** Hashes at or after this position are not in the slot tables yet. */
  private indexed = 0;
  /** The needle's words, reused: a lookup allocates nothing but its answer. */
  private readonly query = new Uint32Array(8);

  /** Hashes in the index. */
  get size(): number {
    return this.ids.length - this.removedCount;
  }

  /** Adds a hash under an id (replacing a hash the id had). Bulk loads cost one rebuild, at the next lookup. */
  add(id: number, hash: PdqHash): void {
    this.remove(id);
    const position = this.ids.length;
    if ((position + 1) * 8 > this.words.length) this.grow(Math.max(1024, position * 2));
    toWords(hash, this.words, position * 8);
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
   * The closest hash within `maxDistance` (0–63) of the needle, or undefined (ties: the earliest added). Exact:
   * MIH never misses a hash within the radius, and the filter words only ever drop hashes beyond it.
   */
  nearest(needle: PdqHash, maxDistance: number): { id: number; distance: number } | undefined {
    if (maxDistance < 0 || maxDistance > 63) throw new RangeError('PdqIndex: a search radius is 0–63 bits');
    if (this.ids.length - this.indexed > Math.max(1024, this.indexed / 8)) this.rebuild();
    const query = toWords(needle, this.query, 0);
    let best = -1;
    let bestDistance = maxDistance + 1;
    if (this.indexed > 0) {
      const probes = probesWithin(maxDistance >> 4);
      const offsets = this.offsets;
      for (let slot = 0; slot < 16; slot++) {
        const value = slotValue(query, slot);
        const postings = this.postings[slot]!;
        const [a, b, c] = FILTER_WORDS[slot]!;
        const qa = query[a]!, qb = query[b]!, qc = query[c]!;
        const table = slot * 65_537;
        for (let k = 0; k < probes.length; k++) {
          const mask = probes[k]!;
          const probe = table + (value ^ mask);
          const own = popcount32(mask);
          const end = offsets[probe + 1]! * ENTRY;
          for (let e = offsets[probe]! * ENTRY; e < end; e += ENTRY) {
            // A lower bound of the full distance from the posting alone; the full hash only when it can still win.
            const bound = own + popcount32(postings[e + 1]! ^ qa) + popcount32(postings[e + 2]! ^ qb) + popcount32(postings[e + 3]! ^ qc);
            if (bound > bestDistance) continue;
            const position = postings[e]!;
            const distance = this.distanceAt(position, query);
            if ((distance < bestDistance || (distance === bestDistance && position < best)) && !this.removed[position]) {
              best = position;
              bestDistance = distance;
            }
          }
        }
      }
    }
    for (let position = this.indexed; position < this.ids.length; position++) {
      const distance = this.distanceAt(position, query);
      if (distance < bestDistance && !this.removed[position]) {
        best = position;
        bestDistance = distance;
      }
    }
    return best < 0 ? undefined : { id: this.ids[best]!, distance: bestDistance };
  }

  private distanceAt(position: number, query: Uint32Array): number {
    const words = this.words;
    const base = position * 8;
    let distance = 0;
    for (let w = 0; w < 8; w++) distance += popcount32(words[base + w]! ^ query[w]!);
    return distance;
  }

  /** Folds the unindexed tail into the slot tables (counting sort per slot: linear in the number of hashes). */
  private rebuild(): void {
    const count = this.ids.length;
    const words = this.words;
    this.offsets = new Uint32Array(16 * 65_537);
    this.postings = [];
    for (let slot = 0; slot < 16; slot++) {
      const offsets = this.offsets.subarray(slot * 65_537, (slot + 1) * 65_537);
      for (let position = 0; position < count; position++) offsets[slotAt(words, position, slot) + 1]!++;
      for (let v = 0; v < 65_536; v++) offsets[v + 1]! += offsets[v]!;
      const cursor = offsets.slice(0, 65_536);
      const postings = new Uint32Array(count * ENTRY);
      const [a, b, c] = FILTER_WORDS[slot]!;
      for (let position = 0; position < count; position++) {
        const e = cursor[slotAt(words, position, slot)]!++ * ENTRY;
        const base = position * 8;
        postings[e] = position;
        postings[e + 1] = words[base + a]!;
        postings[e + 2] = words[base + b]!;
        postings[e + 3] = words[base + c]!;
      }
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

/** Words per posting entry: the position and three filter words. */
const ENTRY = 4;

/** The three words a slot's postings carry: the three after the slot's own word (which the probe already bounds). */
const FILTER_WORDS: ReadonlyArray<readonly [number, number, number]> = Array.from({ length: 16 }, (_, slot) => {
  const own = slot >> 1;
  return [(own + 1) & 7, (own + 2) & 7, (own + 3) & 7] as const;
});

function toWords(hash: PdqHash, into: Uint32Array, at: number): Uint32Array {
  for (let w = 0; w < 8; w++) into[at + w] = (hash[w * 4]! << 24) | (hash[w * 4 + 1]! << 16) | (hash[w * 4 + 2]! << 8) | hash[w * 4 + 3]!;
  return into;
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
