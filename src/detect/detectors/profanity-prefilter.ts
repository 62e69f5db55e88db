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
 */
export class ObscenityPrefilter {
  /** The leading stateless transformers, composed; memoised per BMP code point in `leading`. */
  private readonly leadingSteps: TransformerFn[];
  private readonly leading = new Int32Array(0x10000).fill(NOT_COMPUTED);
  /** The rest, from the first stateful transformer on, applied per character in order. */
  private readonly steps: TransformerStep[];
  /** Sequences keyed by their anchor: a pair of ASCII units (a*128+b) or, failing that, a Map key. */
  private readonly asciiPairs: (Sequence[] | undefined)[] = new Array<Sequence[] | undefined>(128 * 128);
  private readonly otherPairs = new Map<number, Sequence[]>();
  private readonly singles = new Map<number, Sequence[]>();
  /** True when some pattern could not be expanded: then every text is a candidate. */
  private readonly passesEverything: boolean;
  private units = new Uint16Array(1024);

  constructor(terms: readonly BlacklistedTerm[], transformers: readonly TransformerContainer[]) {
    const firstStateful = transformers.findIndex((t) => !('transform' in t));
    const split = firstStateful < 0 ? transformers.length : firstStateful;
    this.leadingSteps = transformers.slice(0, split).flatMap((t) => ('transform' in t ? [t.transform] : []));
    this.steps = transformers.slice(split).map((t) => ('transform' in t ? { transform: t.transform } : { stateful: t.factory() }));
    let expandable = true;
    for (const term of terms) {
      const sequences = expandPattern(term.pattern.nodes);
      if (!sequences) {
        expandable = false;
        break;
      }
      for (const units of sequences) {
        this.index({ units, boundaryAtStart: term.pattern.requireWordBoundaryAtStart, boundaryAtEnd: term.pattern.requireWordBoundaryAtEnd });
      }
    }
    this.passesEverything = !expandable;
  }

  /** False only when obscenity's matcher cannot find anything in `text`. */
  mayMatch(text: string): boolean {
    if (this.passesEverything) return true;
    const length = this.transform(text);
    const units = this.units;
    for (let i = 0; i < length; i += 1) {
      const unit = units[i]!;
      const single = this.singles.size > 0 ? this.singles.get(unit) : undefined;
      if (single && this.anyMatches(single, i, length)) return true;
      if (i + 1 === length) break;
      const next = units[i + 1]!;
      const pair = unit < 128 && next < 128 ? this.asciiPairs[unit * 128 + next] : this.otherPairs.get(unit * 0x10000 + next);
      if (pair && this.anyMatches(pair, i, length)) return true;
    }
    return false;
  }

  /** Writes the transformed text into this.units as UTF-16, as obscenity builds its string; returns its length. */
  private transform(text: string): number {
    for (const step of this.steps) step.stateful?.reset();
    if (this.units.length < 2 * text.length) this.units = new Uint16Array(2 * text.length);
    const units = this.units;
    let length = 0;
    for (let i = 0; i < text.length; i += 1) {
      const codePoint = text.codePointAt(i)!;
      if (codePoint > 0xffff) i += 1;
      let char = this.applyLeading(codePoint);
      for (let s = 0; s < this.steps.length && char !== undefined; s += 1) {
        const step = this.steps[s]!;
        char = step.transform ? step.transform(char) : step.stateful!.transform(char);
      }
      if (char === undefined) continue;
      if (char > 0xffff) {
        const offset = char - 0x10000;
        units[length++] = 0xd800 + (offset >> 10);
        units[length++] = 0xdc00 + (offset & 0x3ff);
      } else units[length++] = char;
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

  private anyMatches(sequences: Sequence[], anchor: number, length: number): boolean {
    for (const sequence of sequences) if (this.matchesAt(sequence, anchor - sequence.anchor, length)) return true;
    return false;
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

  private index(expansion: Omit<Sequence, 'anchor'>): void {
    const { units } = expansion;
    const first = units.findIndex((unit) => unit !== ANY);
    const pairs = first + 1 < units.length && units[first + 1] !== ANY;
    const sequence: Sequence = { ...expansion, anchor: first };
    if (!pairs) return append(this.singles, units[first]!, sequence);
    const [a, b] = [units[first]!, units[first + 1]!];
    if (a < 128 && b < 128) (this.asciiPairs[a * 128 + b] ??= []).push(sequence);
    else append(this.otherPairs, a * 0x10000 + b, sequence);
  }
}

interface TransformerStep {
  transform?: TransformerFn;
  stateful?: StatefulTransformer;
}

/** One literal sequence a pattern can match, in UTF-16 units (ANY for a wildcard). */
interface Sequence {
  units: number[];
  /** Index of the first concrete unit: where the sequence is looked up from. */
  anchor: number;
  boundaryAtStart: boolean;
  boundaryAtEnd: boolean;
}

const ANY = -1;
const NOT_COMPUTED = -2;
const DROPPED = -1;
/** Beyond this many expansions of one pattern, the prefilter gives up and passes every text. */
const MAX_EXPANSIONS = 4096;

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
