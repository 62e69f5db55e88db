/**
 * Text normalisation shared by every detector and by the text model, so that obfuscated
 * spellings ("Ｆ𝐮ᴄk", "k.1.l.l", "fuuuuck", "ѕех") reach them in one canonical form.
 *
 * Every normalised UTF-16 unit remembers the offset of the original unit it came from
 * (`map`), so spans found in the normalised text point back into the caller's text.
 *
 * Stages, in order:
 *  1. per code point: drop control, format (zero-width, bidi) and variation-selector
 *     characters and combining marks on Latin/Greek/Cyrillic letters; NFKC (fullwidth,
 *     mathematical alphanumerics, ligatures, circled letters); case folding; accents
 *     removed from Latin letters; a run of whitespace becomes one line break if it holds one
 *     (long texts are scored in windows that start at lines and sentences), else one space.
 *  2. per word: Cyrillic/Greek look-alike letters become ASCII when the word mixes them with
 *     Latin letters or consists only of look-alikes ("ѕех"), never in ordinary Russian/Greek.
 *  3. separator tricks: three or more single characters split by one repeated separator
 *     ("k i l l", "k.i.l.l", "f-u-c-k") are joined.
 *  4. leetspeak: a digit between letters of the same word ("k1ll", "n1gg3r") and a symbol
 *     that starts or sits inside a word ("@ss", "$hit", "sh!t") become letters, and in a word
 *     with such a digit inside, one or two digits at either end too ("h4t3", "1d10t"). Digits at
 *     a word's edges only ("th3", "t0", "4nd") are read as letters when the word spells a common
 *     word ("the", "and", "ass") or the text has a leet word of the first kind; never in codes
 *     (a non-leet digit between letters, "0x…" literals, hex runs), ordinals or units ("4th",
 *     "10km"). Numbers, "covid19" and "mp3" are left alone outside leet texts. In a leet text a lone
 *     "1" or "4" between words of letters is "i" or "a" ("1 h4t3 y0u", "y0u 4r3 4 l0s3r").
 *  5. runs: no English word repeats a character three times, so runs are cut to two
 *     ("fuuuuuck" → "fuuck", "!!!!" → "!!") and spaces to one.
 */
import { endianness } from 'node:os';

export interface Normalized {
  text: string;
  /** map[i] is the offset in the original text of normalised UTF-16 unit i. */
  map: Int32Array;
}

const SPACE = 0x20;
const APOSTROPHE = 0x27;
const LINE_BREAK = 0x0a;
const NEWLINE = 0x0a;

/** Growable parallel arrays of UTF-16 units and their original offsets. */
class UnitBuffer {
  codes: Uint16Array;
  offsets: Int32Array;
  length = 0;

  constructor(capacity: number) {
    this.codes = new Uint16Array(Math.max(16, capacity));
    this.offsets = new Int32Array(Math.max(16, capacity));
  }

  /** Empties the buffer and makes sure it can hold `capacity` units without growing. */
  reset(capacity: number): this {
    this.length = 0;
    if (this.codes.length < capacity) {
      this.codes = new Uint16Array(capacity);
      this.offsets = new Int32Array(capacity);
    }
    return this;
  }

  push(code: number, offset: number): void {
    if (this.length === this.codes.length) this.grow();
    this.codes[this.length] = code;
    this.offsets[this.length] = offset;
    this.length += 1;
  }

  private grow(): void {
    const codes = new Uint16Array(this.codes.length * 2);
    codes.set(this.codes);
    const offsets = new Int32Array(this.offsets.length * 2);
    offsets.set(this.offsets);
    this.codes = codes;
    this.offsets = offsets;
  }
}

// ---------------------------------------------------------------------------
// Stage 1: code points
// ---------------------------------------------------------------------------

/** How a non-ASCII code point is rewritten, computed once per code point and cached. */
interface Folded {
  /** Units to emit when the word is not folded to ASCII (case-folded, NFKC). */
  plain: string;
  /** ASCII look-alike, when the code point is a Cyrillic/Greek confusable. */
  confusable: string | null;
  /** A letter of a confusable script (Cyrillic/Greek) that has no ASCII look-alike. */
  foreignLetter: boolean;
  /** A combining mark that is dropped after a Latin/Greek/Cyrillic letter. */
  mark: boolean;
}

/**
 * Cyrillic and Greek letters that render like ASCII letters. Keys are checked before case
 * folding because upper and lower case often look like different ASCII letters (Η/η → h/n).
 */
const CONFUSABLES: Record<string, string> = {
  // Cyrillic lower case
  а: 'a', в: 'b', е: 'e', ё: 'e', з: '3', і: 'i', ї: 'i', ј: 'j', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p',
  с: 'c', т: 't', у: 'y', х: 'x', ѕ: 's', ԁ: 'd', ԛ: 'q', ԝ: 'w', ӏ: 'l', ь: 'b', һ: 'h', ү: 'y', є: 'e', п: 'n', г: 'r',
  // Cyrillic upper case
  А: 'a', В: 'b', Е: 'e', Ё: 'e', З: '3', І: 'i', Ї: 'i', Ј: 'j', К: 'k', М: 'm', Н: 'h', О: 'o', Р: 'p',
  С: 'c', Т: 't', У: 'y', Х: 'x', Ѕ: 's', Ԁ: 'd', Ԛ: 'q', Ԝ: 'w', Ӏ: 'l', Ь: 'b', Һ: 'h', Ү: 'y', Є: 'e',
  // Greek lower case
  α: 'a', β: 'b', γ: 'y', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x',
  ω: 'w', μ: 'u', ς: 'c', ϲ: 'c', ϳ: 'j',
  // Greek upper case
  Α: 'a', Β: 'b', Ε: 'e', Ζ: 'z', Η: 'h', Ι: 'i', Κ: 'k', Μ: 'm', Ν: 'n', Ο: 'o', Ρ: 'p', Τ: 't', Υ: 'y', Χ: 'x',
  // Latin letters outside Latin-1 that NFKC leaves alone
  ı: 'i', ɑ: 'a', ɡ: 'g', ɩ: 'i', ꮪ: 's', ß: 'ss', ø: 'o', Ø: 'o', đ: 'd', Đ: 'd', ł: 'l', Ł: 'l', ħ: 'h',
  // Small capitals used to dodge filters ("ᴄᴏᴄᴋ")
  ᴀ: 'a', ʙ: 'b', ᴄ: 'c', ᴅ: 'd', ᴇ: 'e', ɢ: 'g', ʜ: 'h', ɪ: 'i', ᴊ: 'j', ᴋ: 'k', ʟ: 'l', ᴍ: 'm', ɴ: 'n', ᴏ: 'o',
  ᴘ: 'p', ʀ: 'r', ꜱ: 's', ᴛ: 't', ᴜ: 'u', ᴠ: 'v', ᴡ: 'w', ʏ: 'y', ᴢ: 'z',
};

/** Latin-script confusables are always folded; only Cyrillic/Greek ones wait for the word test. */
const ALWAYS_FOLDED = /^[\p{Script=Latin}\u1D00-\u1D2B]$/u;
const CONFUSABLE_SCRIPT = /^[\p{Script=Cyrillic}\p{Script=Greek}]$/u;
const LETTER = /^\p{L}$/u;
const DROPPED = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}\u180B-\u180F]$/u;
const COMBINING = /^\p{M}$/u;
const SPACE_LIKE = /^[\p{Z}\s]$/u;
const MARKS = /\p{M}/gu;
const LATIN_GREEK_CYRILLIC = /^[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]$/u;

const foldCache = new Map<number, Folded>();

function foldCodePoint(cp: number): Folded {
  const cached = foldCache.get(cp);
  if (cached) return cached;
  const folded = computeFold(String.fromCodePoint(cp));
  foldCache.set(cp, folded);
  return folded;
}

function computeFold(char: string): Folded {
  if (DROPPED.test(char)) return { plain: '', confusable: null, foreignLetter: false, mark: false };
  if (SPACE_LIKE.test(char)) return { plain: ' ', confusable: null, foreignLetter: false, mark: false };
  if (COMBINING.test(char)) return { plain: char, confusable: null, foreignLetter: false, mark: true };
  const compat = char.normalize('NFKC');
  const direct = CONFUSABLES[compat];
  if (direct !== undefined && ALWAYS_FOLDED.test(compat)) return { plain: direct, confusable: null, foreignLetter: false, mark: false };
  if (direct !== undefined) return { plain: caseFold(compat), confusable: direct, foreignLetter: false, mark: false };
  const plain = caseFold(compat);
  const foreignLetter = [...compat].some((c) => LETTER.test(c) && CONFUSABLE_SCRIPT.test(c));
  return { plain, confusable: null, foreignLetter, mark: false };
}

/** Lower case, and accents stripped from Latin letters ("É" → "e"); other scripts keep their marks. */
function caseFold(text: string): string {
  const lower = text.toLowerCase();
  let out = '';
  for (const c of lower) {
    const decomposed = c.normalize('NFD');
    const base = decomposed.codePointAt(0)!;
    out += base < 0x250 && decomposed.length > 1 ? decomposed.replace(MARKS, '') : c;
  }
  return out;
}

/** Per-unit flags that stage 2 needs, kept beside the stage-1 buffer. */
const enum Kind {
  Plain = 0,
  Confusable = 1,
  Foreign = 2,
}

interface Stage1 {
  units: UnitBuffer;
  kinds: Uint8Array;
  /** ASCII look-alike for Confusable units. */
  ascii: string[];
}

// Normalisation runs on every request: its buffers are reused (JavaScript runs one call at a time).
const scratch = [new UnitBuffer(1024), new UnitBuffer(1024)] as const;
let scratchKinds = new Uint8Array(1024);

/** The scratch buffer that is not `input`, emptied. */
function outputFor(input: UnitBuffer): UnitBuffer {
  return (input === scratch[0] ? scratch[1] : scratch[0]).reset(input.length + 8);
}

function stage1(text: string): Stage1 {
  const units = scratch[0].reset(text.length + 8);
  if (scratchKinds.length < text.length + 8) scratchKinds = new Uint8Array(text.length + 8);
  let kinds = scratchKinds;
  const ascii: string[] = [];
  let previousSpace = true;
  let previousLetterForMarks = false;
  const emit = (s: string, offset: number, kind: Kind, look: string | null) => {
    for (let k = 0; k < s.length; k += 1) {
      if (units.length >= kinds.length) {
        const grown = new Uint8Array(kinds.length * 2);
        grown.set(kinds);
        kinds = scratchKinds = grown;
      }
      kinds[units.length] = kind;
      if (kind === Kind.Confusable) ascii[units.length] = k === 0 ? look! : '';
      units.push(s.charCodeAt(k), offset);
    }
  };

  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      if (code <= SPACE || code === 0x7f) {
        const isSpace = code === SPACE || (code >= 0x09 && code <= 0x0d);
        // A run of white space is one unit: a line break when it holds one (window scoring reads lines), else a space.
        const lineBreak = code === NEWLINE || code === 0x0d;
        if (isSpace && !previousSpace) units.push(lineBreak ? NEWLINE : SPACE, i);
        else if (lineBreak && units.length > 0 && units.codes[units.length - 1] === SPACE) units.codes[units.length - 1] = NEWLINE;
        if (isSpace) previousSpace = true;
        previousLetterForMarks = false;
        continue;
      }
      const lower = code >= 0x41 && code <= 0x5a ? code + 32 : code;
      const at = units.length;
      if (at < kinds.length && at < units.codes.length) {
        // The common case, written in place: reset() made room for one unit per character of the text.
        kinds[at] = Kind.Plain;
        units.codes[at] = lower;
        units.offsets[at] = i;
        units.length = at + 1;
      } else {
        if (at >= kinds.length) {
          const grown = new Uint8Array(kinds.length * 2);
          grown.set(kinds);
          kinds = scratchKinds = grown;
        }
        kinds[at] = Kind.Plain;
        units.push(lower, i);
      }
      previousSpace = false;
      previousLetterForMarks = (lower >= 0x61 && lower <= 0x7a);
      continue;
    }
    const cp = text.codePointAt(i)!;
    const start = i;
    if (cp > 0xffff) i += 1;
    const folded = foldCodePoint(cp);
    if (folded.mark) {
      if (!previousLetterForMarks) emit(folded.plain, start, Kind.Plain, null);
      continue;
    }
    if (folded.plain === ' ') {
      if (!previousSpace) units.push(SPACE, start);
      previousSpace = true;
      previousLetterForMarks = false;
      continue;
    }
    if (folded.plain === '') continue;
    const kind = folded.confusable !== null ? Kind.Confusable : folded.foreignLetter ? Kind.Foreign : Kind.Plain;
    emit(folded.plain, start, kind, folded.confusable);
    previousSpace = false;
    previousLetterForMarks = LATIN_GREEK_CYRILLIC.test(String.fromCodePoint(cp));
  }
  if (units.length > 0 && (units.codes[units.length - 1] === SPACE || units.codes[units.length - 1] === NEWLINE)) units.length -= 1;
  return { units, kinds, ascii };
}

// ---------------------------------------------------------------------------
// Stage 2: look-alikes, decided per word
// ---------------------------------------------------------------------------

function isAsciiLetter(code: number): boolean {
  return code >= 0x61 && code <= 0x7a;
}

function isAsciiAlnum(code: number): boolean {
  return isAsciiLetter(code) || (code >= 0x30 && code <= 0x39);
}

/** A word here is a run of units up to a space or ASCII punctuation other than leet symbols. */
function isWordBoundary(code: number): boolean {
  return code < 0x80 && (ASCII_CLASS[code]! & WORD_BOUNDARY) !== 0;
}

/** Shorter all-look-alike words are as likely to be real Russian or Greek ("на", "по") as disguise. */
const MIN_LOOKALIKE_WORD = 3;

function stage2({ units, kinds, ascii }: Stage1): UnitBuffer {
  if (!ascii.length) return units;
  const out = outputFor(units);
  let start = 0;
  while (start < units.length) {
    let end = start;
    while (end < units.length && !isWordBoundary(units.codes[end]!)) end += 1;
    let hasLatin = false;
    let hasForeign = false;
    let hasConfusable = false;
    for (let k = start; k < end; k += 1) {
      if (kinds[k] === Kind.Confusable) hasConfusable = true;
      else if (kinds[k] === Kind.Foreign) hasForeign = true;
      else if (isAsciiLetter(units.codes[k]!)) hasLatin = true;
    }
    const fold = hasConfusable && (hasLatin || (!hasForeign && end - start >= MIN_LOOKALIKE_WORD));
    for (let k = start; k < end; k += 1) {
      if (fold && kinds[k] === Kind.Confusable) {
        const look = ascii[k]!;
        for (let c = 0; c < look.length; c += 1) out.push(look.charCodeAt(c), units.offsets[k]!);
      } else out.push(units.codes[k]!, units.offsets[k]!);
    }
    if (end < units.length) out.push(units.codes[end]!, units.offsets[end]!);
    start = end + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Stage 3: single characters split by a repeated separator
// ---------------------------------------------------------------------------

/** Characters that may stand for letters in a split word ("k.1.l.l"). */
function isSplitChar(code: number): boolean {
  return code < 0x80 && (ASCII_CLASS[code]! & SPLIT_CHAR) !== 0;
}

function isSeparator(code: number): boolean {
  return code < 0x80 ? (ASCII_CLASS[code]! & SEPARATOR) !== 0 : code === 0xb7 || code === 0x2022;
}
const MIN_SPLIT_RUN = 3;
/** "1.2.3" and "1,5,9" are numbers, not split words. */
const MIN_SPLIT_LETTERS = 2;

function stage3(units: UnitBuffer): UnitBuffer {
  const { codes, offsets, length } = units;
  if (!mayHaveSplitRun(codes, length)) return units;
  const out = outputFor(units);
  let i = 0;
  while (i < length) {
    const run = splitRunAt(codes, length, i);
    if (run.end === i) {
      out.push(codes[i]!, offsets[i]!);
      i += 1;
      continue;
    }
    // A run that is not a split word ("1.2.3") is copied whole: no later start inside it can be one either
    // (it would have fewer letters), and rescanning it from each start would make this stage quadratic.
    const step = run.fold ? 2 : 1;
    for (let k = i; k < run.end; k += step) out.push(codes[k]!, offsets[k]!);
    i = run.end;
  }
  return out;
}

/**
 * Whether some position starts a split-character run (splitRunAt's test for its first three characters: a split
 * character after a word boundary, then twice one separator and a split character that ends its token). Without
 * one, splitRunAt finds no run anywhere and stage 3 would copy every unit: "was a big" has the "x y z" shape but
 * no run, since "s" and "b" are inside words.
 */
function mayHaveSplitRun(codes: Uint16Array, length: number): boolean {
  for (let i = 0; i + 4 < length; i += 1) {
    const separator = codes[i + 1]!;
    if (separator !== codes[i + 3] || !isSeparator(separator) || !isSplitChar(codes[i]!) || !isSplitChar(codes[i + 2]!) || !isSplitChar(codes[i + 4]!)) continue;
    if ((i === 0 || isWordBoundary(codes[i - 1]!)) && endsToken(codes, length, i + 3) && endsToken(codes, length, i + 5)) return true;
  }
  return false;
}

/**
 * The split-character run starting at i ("k.i.l.l"): its end (exclusive; i when there is none, or it is
 * shorter than MIN_SPLIT_RUN) and whether it spells a word to fold (enough letters) or is kept as written.
 */
function splitRunAt(codes: Uint16Array, length: number, i: number): { end: number; fold: boolean } {
  const none = { end: i, fold: false };
  if (!isSplitChar(codes[i]!)) return none;
  if (i > 0 && !isWordBoundary(codes[i - 1]!)) return none;
  const separator = codes[i + 1];
  if (separator === undefined || !isSeparator(separator)) return none;
  let count = 1;
  let k = i;
  while (k + 2 < length && codes[k + 1] === separator && isSplitChar(codes[k + 2]!) && endsToken(codes, length, k + 3)) {
    k += 2;
    count += 1;
  }
  if (count < MIN_SPLIT_RUN) return none;
  let letters = 0;
  for (let j = i; j <= k; j += 2) if (isAsciiLetter(codes[j]!)) letters += 1;
  return { end: k + 1, fold: letters >= MIN_SPLIT_LETTERS };
}

function endsToken(codes: Uint16Array, length: number, at: number): boolean {
  return at >= length || isWordBoundary(codes[at]!);
}

// ---------------------------------------------------------------------------
// Stage 4: leetspeak
// ---------------------------------------------------------------------------

/** Digits that stand for letters inside a word, as the letter's code (0: none). */
const LEET_DIGITS = asciiTable({ '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '9': 'g' });
/** Symbols that stand for letters at the start of or inside a word. */
const LEET_SYMBOLS = asciiTable({ '@': 'a', $: 's', '!': 'i', '+': 't' });
const ASCII_SEPARATORS = ' \n.-_*,/|~';

/** The letter a digit stands for in leetspeak ("4" → "a"), as a char code; 0 for other characters. */
export function leetLetter(code: number): number {
  return code < 0x80 ? LEET_DIGITS[code]! : 0;
}

function asciiTable(pairs: Record<string, string>): Uint8Array {
  const table = new Uint8Array(0x80);
  for (const [from, to] of Object.entries(pairs)) table[from.charCodeAt(0)] = to.charCodeAt(0);
  return table;
}

// Per-ASCII-unit classes, looked up once per unit by stages 2–4 instead of testing sets.
const WORD_BOUNDARY = 1;
const SPLIT_CHAR = 2;
const SEPARATOR = 4;
const ASCII_CLASS = (() => {
  const table = new Uint8Array(0x80);
  for (let code = 0; code < 0x80; code += 1) {
    const leet = LEET_SYMBOLS[code] !== 0;
    const separator = ASCII_SEPARATORS.includes(String.fromCharCode(code));
    if (code === SPACE || (!isAsciiAlnum(code) && !leet)) table[code]! |= WORD_BOUNDARY;
    if (isAsciiAlnum(code) || (leet && !separator)) table[code]! |= SPLIT_CHAR;
    if (separator) table[code]! |= SEPARATOR;
  }
  return table;
})();

function stage4(units: UnitBuffer): UnitBuffer {
  const { codes, offsets, length } = units;
  if (!hasLeetCandidate(codes, length)) return units;
  const leetText = hasLeetWord(codes, length);
  const out = outputFor(units);
  let start = 0;
  while (start < length) {
    let end = start;
    while (end < length && !isWordBoundary(codes[end]!)) end += 1;
    foldLeetWord(codes, length, offsets, start, end, out, leetText);
    if (end < length) out.push(codes[end]!, offsets[end]!);
    start = end + 1;
  }
  return out;
}

/**
 * Whether some word holds a letter and a leet digit, or a leet symbol before a letter: foldLeetWord changes
 * nothing in any other word (it folds digits only in a word with letters or, in a leet text, which needs such a
 * word, and symbols only before a word's last letter), so without one stage 4 changes nothing.
 */
function hasLeetCandidate(codes: Uint16Array, length: number): boolean {
  let letter = false;
  let digit = false;
  let symbol = false;
  for (let k = 0; k < length; k += 1) {
    const code = codes[k]!;
    if (code >= 0x80 || isAsciiLetter(code)) {
      if (digit || symbol) return true;
      letter = true;
    } else if (isWordBoundary(code)) {
      letter = digit = symbol = false;
    } else if (LEET_DIGITS[code] !== 0) {
      if (letter) return true;
      digit = true;
    } else if (LEET_SYMBOLS[code] !== 0) symbol = true;
  }
  return false;
}

/** Where a word's letters are, and whether its digits rule out reading them as letters. */
interface LeetShape {
  firstLetter: number;
  lastLetter: number;
  /** A leet digit strictly between two letters ("h4t3", "k1ll"). */
  leetInside: boolean;
  /** A code, not a word: a digit that stands for no letter between letters ("a1b2c"), a hex literal ("0x1f") or a hex run ("b1c4e5"). */
  code: boolean;
}

/** Hex runs at least this long ("deadbeef", "3f9f0a") are codes even when their digits could be letters. */
const MIN_HEX_CODE = 6;

function leetShape(codes: Uint16Array, start: number, end: number): LeetShape {
  let firstLetter = -1;
  let lastLetter = -1;
  let hex = end - start >= MIN_HEX_CODE;
  let digits = 0;
  for (let k = start; k < end; k += 1) {
    const code = codes[k]!;
    if (isLetterLike(code)) {
      if (firstLetter < 0) firstLetter = k;
      lastLetter = k;
      hex &&= code <= 0x66; // a–f
    } else if (code >= 0x30 && code <= 0x39) digits += 1;
    else hex = false;
  }
  let leetInside = false;
  let otherDigitInside = false;
  for (let k = firstLetter + 1; firstLetter >= 0 && k < lastLetter; k += 1) {
    const code = codes[k]!;
    if (code < 0x30 || code > 0x39) continue;
    if (LEET_DIGITS[code] !== 0) leetInside = true;
    else otherDigitInside = true;
  }
  const hexLiteral = end - start > 2 && codes[start] === 0x30 && codes[start + 1] === 0x78; // "0x…"
  return { firstLetter, lastLetter, leetInside, code: otherDigitInside || hexLiteral || (hex && digits > 0 && firstLetter >= 0) };
}

/** Whether some word of the text is leet beyond doubt (a leet digit between its letters, and not a code). */
function hasLeetWord(codes: Uint16Array, length: number): boolean {
  let start = 0;
  while (start < length) {
    let end = start;
    let digit = false;
    while (end < length && !isWordBoundary(codes[end]!)) {
      digit ||= codes[end]! < 0x80 && LEET_DIGITS[codes[end]!] !== 0;
      end += 1;
    }
    if (digit) {
      const shape = leetShape(codes, start, end);
      if (shape.leetInside && !shape.code) return true;
    }
    start = end + 1;
  }
  return false;
}

/**
 * Words that a digit at an edge spells so often ("th3", "4nd", "4ss") that they are read as letters in any text;
 * other edge-only leet ("t0", "1s", "m3") only in a text where some word is leet beyond doubt, since alone they
 * are as often codes and units ("m3", "1s", "b3").
 */
const EDGE_LEET_WORDS = new Set(['the', 'and', 'are', 'ass', 'arse', 'all', 'any', 'also', 'only', 'one', 'out', 'own', 'into', 'too', 'see', 'she', 'use', 'eat', 'ape']);
/** After a leading digit run these are ordinals and units ("4th", "3pm", "10km"), kept as written. */
const NUMBER_SUFFIXES = new Set(['st', 'rd', 'th', 'am', 'pm', 'k', 'g', 'h', 'd', 'x', 'p', 'kg', 'km', 'cm', 'mm', 'mg', 'ml', 'gb', 'mb', 'tb', 'kb', 'ms', 'hz', 'khz', 'mhz', 'ghz', 'fps', 'px', 'pt', 'yr', 'yrs', 'min', 'sec', 'hr', 'hrs', 'lb', 'lbs', 'oz', 'ft', 'mph', 'kph', 'v', 'w', 'kw', 'mw', 'l']);

function foldLeetWord(codes: Uint16Array, length: number, offsets: Int32Array, start: number, end: number, out: UnitBuffer, leetText: boolean): void {
  const shape = leetShape(codes, start, end);
  const { firstLetter, lastLetter } = shape;
  let foldFrom = firstLetter + 1;
  let foldTo = lastLetter;
  if (shape.code) foldTo = -1;
  else if (firstLetter >= 0) {
    const leadingRun = leetDigitRun(codes, start, firstLetter);
    const trailingRun = leetDigitRun(codes, lastLetter + 1, end);
    // A word with a digit for a letter inside it ("h4t3", "1d10t") is leet throughout: a short run of such digits at
    // either end is read as letters too. "mp3", "4th" and "covid19" have none inside and keep theirs, unless the
    // word spells one of EDGE_LEET_WORDS or the text is leet elsewhere ("th3 k1ll3r", "1t w4s").
    const edgeLeet = !shape.leetInside && (leadingRun || firstLetter === start) && (trailingRun || lastLetter === end - 1) && (leadingRun || trailingRun) && !numberWithUnit(codes, start, firstLetter, end);
    if (shape.leetInside || (edgeLeet && (leetText || EDGE_LEET_WORDS.has(foldedWord(codes, start, end))))) {
      if (leadingRun) foldFrom = start;
      if (trailingRun) foldTo = end;
    }
  } else if (leetText && end === start + 1 && codes[end] === APOSTROPHE && end + 1 < codes.length && isAsciiLetter(codes[end + 1]!)) {
    // "1'm", "1'll": a lone digit before a contraction, in a leet text.
    foldFrom = start;
    foldTo = end;
  } else if (leetText && end === start + 1 && (codes[start] === 0x31 || codes[start] === 0x34) && betweenWords(codes, length, start, end)) {
    // "1 h4t3 y0u", "y0u 4r3 4 l0s3r": a lone 1 or 4 between words of letters, in a leet text, is "i" or "a".
    foldFrom = start;
    foldTo = end;
  }
  for (let k = start; k < end; k += 1) {
    const code = codes[k]!;
    let folded = code;
    if (code < 0x80 && (firstLetter >= 0 || foldTo > foldFrom)) {
      const digit = LEET_DIGITS[code]!;
      const symbol = LEET_SYMBOLS[code]!;
      if (digit !== 0 && k >= foldFrom && k < foldTo) folded = digit;
      else if (symbol !== 0 && k < lastLetter) folded = symbol;
    }
    out.push(folded, offsets[k]!);
  }
}

/**
 * Whether the lone digit [start, end) stands between words that hold letters, past spaces and line breaks: a word
 * follows, and one comes before or the text starts ("1 h4t3", "y0u 4r3 4 l0s3r"; not "4 2 1", "1, 4", "page 4").
 */
function betweenWords(codes: Uint16Array, length: number, start: number, end: number): boolean {
  const gap = (code: number) => code === SPACE || code === LINE_BREAK;
  let before = start - 1;
  while (before >= 0 && gap(codes[before]!)) before -= 1;
  let after = end;
  while (after < length && gap(codes[after]!)) after += 1;
  // The digit itself must stand apart: "1," and ".4" are numbers in punctuation.
  if ((start > 0 && before === start - 1) || after === end || after >= length) return false;
  return (before < 0 || wordHasLetter(codes, length, before, -1)) && wordHasLetter(codes, length, after, 1);
}

/** Whether the word through unit k (scanning in direction step to its boundary) holds a letter. */
function wordHasLetter(codes: Uint16Array, length: number, k: number, step: 1 | -1): boolean {
  for (; k >= 0 && k < length && !isWordBoundary(codes[k]!); k += step) if (isLetterLike(codes[k]!)) return true;
  return false;
}

/** Whether [start, end) is digits then an ordinal or unit suffix ("4th", "10km"), the digits ending at firstLetter. */
function numberWithUnit(codes: Uint16Array, start: number, firstLetter: number, end: number): boolean {
  if (firstLetter === start || end - firstLetter > 3) return false;
  let suffix = '';
  for (let k = firstLetter; k < end; k += 1) {
    if (!isAsciiLetter(codes[k]!)) return false;
    suffix += String.fromCharCode(codes[k]!);
  }
  return NUMBER_SUFFIXES.has(suffix);
}

/** The word with its leet digits read as letters, when it is short enough to be one of EDGE_LEET_WORDS ('' otherwise). */
function foldedWord(codes: Uint16Array, start: number, end: number): string {
  if (end - start > 4) return '';
  let word = '';
  for (let k = start; k < end; k += 1) {
    const code = codes[k]!;
    word += String.fromCharCode(code < 0x80 && LEET_DIGITS[code] !== 0 ? LEET_DIGITS[code]! : code);
  }
  return word;
}

/** Longest digit run at a leet word's end that is read as letters. */
const MAX_EDGE_LEET_DIGITS = 2;

/** Whether [from, to) is a non-empty run of at most MAX_EDGE_LEET_DIGITS digits that all stand for letters. */
function leetDigitRun(codes: Uint16Array, from: number, to: number): boolean {
  if (to <= from || to - from > MAX_EDGE_LEET_DIGITS) return false;
  for (let k = from; k < to; k += 1) if (codes[k]! >= 0x80 || LEET_DIGITS[codes[k]!] === 0) return false;
  return true;
}

/** A letter of any script: ASCII letters, or any non-ASCII unit left after stage 1. */
function isLetterLike(code: number): boolean {
  return isAsciiLetter(code) || code >= 0x80;
}

// ---------------------------------------------------------------------------
// Stage 5: runs
// ---------------------------------------------------------------------------

const MAX_RUN = 2;

function stage5(units: UnitBuffer): UnitBuffer {
  const { codes, offsets, length } = units;
  if (!hasLongRun(codes, length)) return units;
  const out = outputFor(units);
  let run = 0;
  let previous = -1;
  for (let k = 0; k < length; k += 1) {
    const code = codes[k]!;
    run = code === previous ? run + 1 : 1;
    previous = code;
    if (run > (code === SPACE ? 1 : MAX_RUN)) continue;
    if (code === SPACE && (out.length === 0 || k === length - 1)) continue;
    out.push(code, offsets[k]!);
  }
  return out;
}

/** Whether stage 5 has anything to cut: a run over its limit, or a space at either end. */
function hasLongRun(codes: Uint16Array, length: number): boolean {
  if (length > 0 && (codes[0] === SPACE || codes[length - 1] === SPACE)) return true;
  for (let k = 1; k < length; k += 1) {
    const code = codes[k]!;
    if (code !== codes[k - 1]) continue;
    if (code === SPACE || (k + 1 < length && codes[k + 1] === code)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------

/** UTF-16 units in memory are little-endian here, so a buffer of them decodes as 'utf16le' (Node's fastest way). */
const LITTLE_ENDIAN = endianness() === 'LE';
/** Units per String.fromCharCode call where they are not, well under engines' argument limits. */
const STRING_CHUNK = 8192;

/** A Buffer over each scratch buffer's units, kept until the units are reallocated (making one per call costs more than decoding 200 units). */
const byteViews = new WeakMap<Uint16Array, Buffer>();

function unitsToString({ codes, length }: UnitBuffer): string {
  if (LITTLE_ENDIAN) {
    let view = byteViews.get(codes);
    if (!view) byteViews.set(codes, (view = Buffer.from(codes.buffer, codes.byteOffset, codes.byteLength)));
    return view.toString('utf16le', 0, length * 2);
  }
  let out = '';
  for (let k = 0; k < length; k += STRING_CHUNK) {
    out += String.fromCharCode.apply(null, codes.subarray(k, Math.min(length, k + STRING_CHUNK)) as unknown as number[]);
  }
  return out;
}

/**
 * Maps of short texts are cut from a shared slab: a typed array of its own costs a text more than its whole
 * stage 1 (V8 allocates each backing store apart). A map keeps its slab alive, at most MAP_SLAB units.
 */
const MAP_SLAB = 16384;
const MAX_SLAB_MAP = 2048;
let mapSlab = new Int32Array(MAP_SLAB);
let mapSlabUsed = 0;

function mapOf({ offsets, length }: UnitBuffer): Int32Array {
  if (length > MAX_SLAB_MAP) return offsets.slice(0, length);
  if (mapSlabUsed + length > MAP_SLAB) {
    mapSlab = new Int32Array(MAP_SLAB);
    mapSlabUsed = 0;
  }
  const map = mapSlab.subarray(mapSlabUsed, mapSlabUsed + length);
  map.set(offsets.subarray(0, length));
  mapSlabUsed += length;
  return map;
}

export function normalize(text: string): Normalized {
  const units = stage5(stage4(stage3(stage2(stage1(text)))));
  return { text: unitsToString(units), map: mapOf(units) };
}

/**
 * The span in the original text covered by normalised units [start, end): from the first
 * unit's original offset to the end of the last unit's original character.
 */
export function originalSpan(original: string, normalized: Normalized, start: number, end: number): { start: number; end: number } {
  const { map } = normalized;
  if (start >= end || start >= map.length) {
    const at = start < map.length ? map[start]! : original.length;
    return { start: at, end: at };
  }
  const last = map[Math.min(end, map.length) - 1]!;
  const lastCp = original.codePointAt(last)!;
  return { start: map[start]!, end: last + (lastCp > 0xffff ? 2 : 1) };
}
