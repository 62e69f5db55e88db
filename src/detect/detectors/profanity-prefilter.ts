import { type BlacklistedTerm, type Node, type StatefulTransformer, SyntaxKind, type TransformerContainer, type TransformerFn } from 'obscenity';

/**
 * A one-pass test of whether obscenity's RegExpMatcher could match a text at all, so that the
 * matcher (one regular-expression pass per term, plus whitelist passes) runs only on candidates.
 *
 * It is derived from obscenity's own terms and transformers, not from a word list:
 *  - the text goes through the same blacklist transformers, code point by code point, so the
 *    prefilter sees exactly the string obscenity's regular expressions run on;
 *  - each term's pattern is expanded into the literal sequences it can match (each optional
 *    present or absent; a wildcard is "any UTF-16 unit", as `.` is in obscenity's non-Unicode
 *    regular expressions), and word-boundary assertions are checked as `\b` checks them.
 * So a text passes whenever some term's regular expression matches the transformed text. The
 * only thing left out is the whitelist, which can remove matches but never add one.
 *
 * windows() goes one step further: the ranges of the text outside of which the matcher cannot
 * match, each widened to whole space-separated words and by a margin that holds any whitelisted
 * term around a match, so that running the matcher on each window finds what it finds on the
 * whole text (see windowed-matcher.ts).
 */
export class ObscenityPrefilter {
  /** The leading stateless transformers, composed; memoised per BMP code point in `leading`. */
  private readonly leadingSteps: TransformerFn[];
  private readonly leading = new Int32Array(0x10000).fill(NOT_COMPUTED);
  /** The rest, from the first stateful transformer on, applied per character in order. */
  private readonly steps: TransformerStep[];
  /**
   * When the only stateful step is obscenity's collapse-duplicates transformer: how many units of
   * a run of each BMP character it keeps, so that transform() limits runs inline.
   */
  private readonly runLimits: RunLimits | null;
  /** Sequences keyed by their anchor: a pair of ASCII units (a*128+b) or, failing that, a Map key. */
  private readonly asciiPairs: (Sequence[] | undefined)[] = new Array<Sequence[] | undefined>(128 * 128);
  /**
   * Sequences that start with three concrete ASCII units, keyed by them (a*16384+b*128+c); a pair
   * alone ("as") is too common an anchor for them. pairAnchors[a*128+b] has TRIPLE_ANCHOR when some key starts
   * with a, b, and PAIR_ANCHOR when asciiPairs has sequences for a, b.
   */
  private readonly asciiTriples = new Map<number, Sequence[]>();
  private readonly pairAnchors = new Uint8Array(128 * 128);
  /**
   * asciiTriples as an open-addressing table, filled once the terms are indexed: tripleKeys[s] is key + 1 (0:
   * empty) and tripleLists[s] its sequences, so that scan() looks a triple up without hashing a Map key.
   */
  private tripleKeys = new Int32Array(0);
  private tripleLists: Sequence[][] = [];
  private readonly otherPairs = new Map<number, Sequence[]>();
  private readonly singles = new Map<number, Sequence[]>();
  /** 1 for each BMP unit that anchors a single-unit sequence, so that scan() skips the Map for the rest. */
  private readonly singleUnits = new Uint8Array(0x10000);
  private readonly termIds: number[];
  /** True when some pattern could not be expanded: then every text is a candidate. */
  private readonly passesEverything: boolean;
  private units = new Uint16Array(1024);
  /** Index in the text of the character each transformed unit came from. */
  private sources = new Int32Array(1024);

  constructor(terms: readonly BlacklistedTerm[], transformers: readonly TransformerContainer[]) {
    const firstStateful = transformers.findIndex((t) => !('transform' in t));
    const split = firstStateful < 0 ? transformers.length : firstStateful;
    this.leadingSteps = transformers.slice(0, split).flatMap((t) => ('transform' in t ? [t.transform] : []));
    this.steps = transformers.slice(split).map((t) => ('transform' in t ? { transform: t.transform } : { stateful: t.factory() }));
    this.runLimits = this.steps.length === 1 ? runLimitsOf(this.steps[0]!.stateful) : null;
    this.termIds = terms.map((term) => term.id);
    let expandable = true;
    for (const term of terms) {
      const sequences = expandPattern(term.pattern.nodes);
      if (!sequences) {
        expandable = false;
        break;
      }
      for (const units of sequences) {
        this.index({ units, termId: term.id, boundaryAtStart: term.pattern.requireWordBoundaryAtStart, boundaryAtEnd: term.pattern.requireWordBoundaryAtEnd });
      }
    }
    this.passesEverything = !expandable;
    this.tableTriples();
  }

  private tableTriples(): void {
    let size = 16;
    while (size < 2 * this.asciiTriples.size) size *= 2;
    this.tripleKeys = new Int32Array(size);
    this.tripleLists = new Array<Sequence[]>(size);
    for (const [key, sequences] of this.asciiTriples) {
      let slot = tripleSlot(key, size - 1);
      while (this.tripleKeys[slot] !== 0) slot = (slot + 1) & (size - 1);
      this.tripleKeys[slot] = key + 1;
      this.tripleLists[slot] = sequences;
    }
  }

  /** The sequences anchored at the three ASCII units of `key` (a*16384+b*128+c), if any. */
  private triplesAt(key: number): Sequence[] | undefined {
    const mask = this.tripleKeys.length - 1;
    for (let slot = tripleSlot(key, mask); ; slot = (slot + 1) & mask) {
      const stored = this.tripleKeys[slot]!;
      if (stored === key + 1) return this.tripleLists[slot];
      if (stored === 0) return undefined;
    }
  }

  /** False only when obscenity's matcher cannot find anything in `text`. */
  mayMatch(text: string): boolean {
    if (this.passesEverything) return true;
    return this.scan(text, null);
  }

  /**
   * Ranges of `text`, in order and disjoint, that hold every match obscenity's matcher can find
   * in it, each with the ids of the terms that may match there: each candidate match widened by
   * `margin` units each side and then to the spaces around it. Empty when nothing can match; the
   * whole text with every term when the terms could not be expanded.
   */
  windows(text: string, margin: number): CandidateWindow[] {
    if (this.passesEverything) return [{ start: 0, end: text.length, termIds: this.termIds }];
    const candidates: number[] = [];
    if (!this.scan(text, candidates)) return [];
    const order = Array.from({ length: candidates.length / 3 }, (_, k) => 3 * k).sort((a, b) => candidates[a]! - candidates[b]!);
    const windows: CandidateWindow[] = [];
    for (const c of order) {
      const start = this.windowStart(text, Math.max(0, candidates[c]! - margin));
      const end = windowEnd(text, Math.min(text.length, candidates[c + 1]! + margin));
      const termId = candidates[c + 2]!;
      const last = windows.at(-1);
      if (last && start <= last.end) {
        last.end = Math.max(last.end, end);
        if (!last.termIds.includes(termId)) last.termIds.push(termId);
      } else windows.push({ start, end, termIds: [termId] });
    }
    return windows;
  }

  /**
   * Looks for candidate matches in the transformed text. Without a list, stops at the first and
   * says whether there is one; with one, appends start, end (exclusive) in `text` and term id of
   * every candidate.
   */
  private scan(text: string, candidates: number[] | null): boolean {
    const length = this.transform(text);
    const units = this.units;
    const singleUnits = this.singleUnits;
    let found = false;
    for (let i = 0; i < length; i += 1) {
      const unit = units[i]!;
      const single = singleUnits[unit] === 1 ? this.singles.get(unit) : undefined;
      if (single && this.collect(single, i, length, candidates)) {
        if (!candidates) return true;
        found = true;
      }
      if (i + 1 === length) break;
      const next = units[i + 1]!;
      const ascii = unit < 128 && next < 128;
      // Most ASCII pairs anchor nothing: one byte says whether a pair or a triple may start here.
      const anchors = ascii ? this.pairAnchors[unit * 128 + next]! : PAIR_ANCHOR;
      if (anchors === 0) continue;
      const pair = ascii ? (anchors & PAIR_ANCHOR ? this.asciiPairs[unit * 128 + next] : undefined) : this.otherPairs.get(unit * 0x10000 + next);
      if (pair && this.collect(pair, i, length, candidates)) {
        if (!candidates) return true;
        found = true;
      }
      if (!ascii || (anchors & TRIPLE_ANCHOR) === 0 || i + 2 === length || units[i + 2]! >= 128) continue;
      const triple = this.triplesAt(unit * 16384 + next * 128 + units[i + 2]!);
      if (triple && this.collect(triple, i, length, candidates)) {
        if (!candidates) return true;
        found = true;
      }
    }
    return found;
  }

  /** A window starts after a space, at a character the transformers neither drop nor turn into a space. */
  private windowStart(text: string, from: number): number {
    let start = from;
    while (start > 0 && !(text.charCodeAt(start - 1) === SPACE && this.startsWord(text.codePointAt(start)!))) start -= 1;
    return start;
  }

  private startsWord(codePoint: number): boolean {
    const char = this.applyLeading(codePoint);
    return char !== undefined && char !== SPACE;
  }

  /** Writes the transformed text into this.units as UTF-16, as obscenity builds its string; returns its length. */
  private transform(text: string): number {
    for (const step of this.steps) step.stateful?.reset();
    if (this.units.length < 2 * text.length) {
      this.units = new Uint16Array(2 * text.length);
      this.sources = new Int32Array(2 * text.length);
    }
    const { units, sources, runLimits } = this;
    let length = 0;
    let runChar = -1;
    let runLeft = 0;
    for (let i = 0; i < text.length; i += 1) {
      const at = i;
      const codePoint = text.codePointAt(i)!;
      if (codePoint > 0xffff) i += 1;
      let char = this.applyLeading(codePoint);
      if (char === undefined) continue;
      if (runLimits) {
        // obscenity's collapse-duplicates, inline: keep the first `limit` units of a run.
        if (char === runChar) {
          if (runLeft-- <= 0) continue;
        } else {
          runChar = char;
          runLeft = runLimits.of(char) - 1;
          if (runLeft < 0) continue;
        }
      } else {
        for (let s = 0; s < this.steps.length && char !== undefined; s += 1) {
          const step = this.steps[s]!;
          char = step.transform ? step.transform(char) : step.stateful!.transform(char);
        }
        if (char === undefined) continue;
      }
      if (char > 0xffff) {
        const offset = char - 0x10000;
        sources[length] = at;
        units[length++] = 0xd800 + (offset >> 10);
        sources[length] = at;
        units[length++] = 0xdc00 + (offset & 0x3ff);
      } else {
        sources[length] = at;
        units[length++] = char;
      }
    }
    return length;
  }

  private applyLeading(codePoint: number): number | undefined {
    if (codePoint > 0xffff) return this.composeLeading(codePoint);
    let cached = this.leading[codePoint]!;
    if (cached === NOT_COMPUTED) cached = this.leading[codePoint] = this.composeLeading(codePoint) ?? DROPPED;
    return cached === DROPPED ? undefined : cached;
  }

  private composeLeading(codePoint: number): number | undefined {
    let char: number | undefined = codePoint;
    for (let s = 0; s < this.leadingSteps.length && char !== undefined; s += 1) char = this.leadingSteps[s]!(char);
    return char;
  }

  /** Whether any of the sequences matches around `anchor`; with a list, appends each match's range in the text. */
  private collect(sequences: Sequence[], anchor: number, length: number, candidates: number[] | null): boolean {
    let found = false;
    for (const sequence of sequences) {
      const start = anchor - sequence.anchor;
      if (!this.matchesAt(sequence, start, length)) continue;
      if (!candidates) return true;
      found = true;
      candidates.push(this.sources[start]!, this.sources[start + sequence.units.length - 1]! + 1, sequence.termId);
    }
    return found;
  }

  private matchesAt({ units: pattern, boundaryAtStart, boundaryAtEnd }: Sequence, start: number, length: number): boolean {
    const end = start + pattern.length;
    if (start < 0 || end > length) return false;
    const units = this.units;
    for (let k = 0; k < pattern.length; k += 1) {
      const expected = pattern[k]!;
      if (expected !== ANY && units[start + k] !== expected) return false;
    }
    if (boundaryAtStart && !this.isBoundary(start, length)) return false;
    return !boundaryAtEnd || this.isBoundary(end, length);
  }

  /** JavaScript's `\b` (without the u flag) between units at - 1 and at. */
  private isBoundary(at: number, length: number): boolean {
    const before = at > 0 && isWordUnit(this.units[at - 1]!);
    const after = at < length && isWordUnit(this.units[at]!);
    return before !== after;
  }

  /**
   * Files a sequence under the most selective anchor it has: three consecutive concrete ASCII
   * units, else two concrete units, else its first concrete unit.
   */
  private index(expansion: Omit<Sequence, 'anchor'>): void {
    const { units } = expansion;
    const isAscii = (k: number) => units[k] !== ANY && units[k]! < 128;
    const triple = units.findIndex((_, k) => k + 2 < units.length && isAscii(k) && isAscii(k + 1) && isAscii(k + 2));
    if (triple >= 0) {
      const [a, b, c] = [units[triple]!, units[triple + 1]!, units[triple + 2]!];
      this.pairAnchors[a * 128 + b]! |= TRIPLE_ANCHOR;
      return append(this.asciiTriples, a * 16384 + b * 128 + c, { ...expansion, anchor: triple });
    }
    const pair = units.findIndex((unit, k) => unit !== ANY && k + 1 < units.length && units[k + 1] !== ANY);
    if (pair >= 0) {
      const [a, b] = [units[pair]!, units[pair + 1]!];
      const sequence = { ...expansion, anchor: pair };
      if (a < 128 && b < 128) {
        (this.asciiPairs[a * 128 + b] ??= []).push(sequence);
        this.pairAnchors[a * 128 + b]! |= PAIR_ANCHOR;
      }
      else append(this.otherPairs, a * 0x10000 + b, sequence);
      return;
    }
    const first = units.findIndex((unit) => unit !== ANY);
    this.singleUnits[units[first]!] = 1;
    append(this.singles, units[first]!, { ...expansion, anchor: first });
  }

}

interface TransformerStep {
  transform?: TransformerFn;
  stateful?: StatefulTransformer;
}

/** One literal sequence a pattern can match, in UTF-16 units (ANY for a wildcard). */
/** Where some terms may match: [start, end) of the text and those terms' ids. */
export interface CandidateWindow {
  start: number;
  end: number;
  termIds: number[];
}

interface Sequence {
  units: number[];
  termId: number;
  /** Index of the first concrete unit: where the sequence is looked up from. */
  anchor: number;
  boundaryAtStart: boolean;
  boundaryAtEnd: boolean;
}

const ANY = -1;
const PAIR_ANCHOR = 1;
const TRIPLE_ANCHOR = 2;
const SPACE = 0x20;
const NOT_COMPUTED = -2;
const DROPPED = -1;
/** Beyond this many expansions of one pattern, the prefilter gives up and passes every text. */
const MAX_EXPANSIONS = 4096;

/** A triple key's first slot in a table of mask + 1 slots. */
function tripleSlot(key: number, mask: number): number {
  return (Math.imul(key, 0x9e3779b1) >>> 11) & mask;
}

/** A window ends at a space (exclusive) or at the end of the text. */
function windowEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && text.charCodeAt(end) !== SPACE) end += 1;
  return end;
}

/** How many units of a run of each character obscenity's collapse-duplicates transformer keeps. */
class RunLimits {
  private readonly bmp: Int32Array;

  constructor(
    private readonly fallback: number,
    private readonly custom: ReadonlyMap<number, number>,
  ) {
    this.bmp = new Int32Array(0x10000).fill(clampLimit(fallback));
    for (const [char, limit] of custom) if (char <= 0xffff) this.bmp[char] = clampLimit(limit);
  }

  of(char: number): number {
    return char <= 0xffff ? this.bmp[char]! : clampLimit(this.custom.get(char) ?? this.fallback);
  }
}

function clampLimit(limit: number): number {
  return Math.min(limit, 0x7fffffff);
}

/** The run limits of obscenity's collapse-duplicates transformer, read from its public fields; null for any other. */
function runLimitsOf(stateful: StatefulTransformer | undefined): RunLimits | null {
  const fields = stateful as unknown as { defaultThreshold?: unknown; customThresholds?: unknown } | undefined;
  if (!fields || typeof fields.defaultThreshold !== 'number' || !(fields.customThresholds instanceof Map)) return null;
  return new RunLimits(fields.defaultThreshold, fields.customThresholds as Map<number, number>);
}

function append<K>(map: Map<K, Sequence[]>, key: K, sequence: Sequence): void {
  const list = map.get(key);
  if (list) list.push(sequence);
  else map.set(key, [sequence]);
}

function isWordUnit(unit: number): boolean {
  return (unit >= 0x61 && unit <= 0x7a) || (unit >= 0x41 && unit <= 0x5a) || (unit >= 0x30 && unit <= 0x39) || unit === 0x5f;
}

function unitsOf(node: Node): number[] {
  if (node.kind === SyntaxKind.Wildcard) return [ANY];
  if (node.kind === SyntaxKind.Literal) return [...String.fromCodePoint(...node.chars)].flatMap((c) => [...Array(c.length).keys()].map((k) => c.charCodeAt(k)));
  throw new Error(`unexpected pattern node kind ${node.kind}`);
}

/** Every unit sequence the nodes match, or null when there are too many or one has no concrete unit. */
function expandPattern(nodes: readonly Node[]): number[][] | null {
  let expansions: number[][] = [[]];
  for (const node of nodes) {
    if (node.kind === SyntaxKind.Optional) {
      const units = unitsOf(node.childNode);
      expansions = expansions.flatMap((prefix) => [prefix, [...prefix, ...units]]);
    } else {
      const units = unitsOf(node);
      expansions = expansions.map((prefix) => [...prefix, ...units]);
    }
    if (expansions.length > MAX_EXPANSIONS) return null;
  }
  if (expansions.some((units) => units.every((unit) => unit === ANY))) return null;
  return expansions;
}
