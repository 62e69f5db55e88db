import type { Evidence } from '../types.ts';
import { finding } from './finding.ts';

const DETECTOR = 'identifiers';
const CATEGORY = 'privacy/sensitive-identifiers';

const NOUN = String.raw`(?:password|passwd|passcode|passphrase|pwd|pw|pin(?: code)?|login pass)`;
const VALUE = String.raw`(?:"([^"\n]{3,128})"|'([^'\n]{3,128})'|` + '`([^`\\n]{3,128})`' + String.raw`|(\S{3,128}))`;

/*
 * Linear time (V8's engine backtracks, so this is argued, and test/linear-time.test.ts checks it): VALUE reads at
 * most 130 characters from where it starts. Every unbounded `\s*`/`\s+`/`[\w-]+` below is followed by
 * something its own characters cannot match (a separator, a word character, a space, VALUE's first character,
 * which is a quote or a non-space), so giving one character back fails at once: an attempt at one start costs
 * the length of the runs it reads, plus 130. An attempt starts only where the pattern's first word (NOUN, or a
 * determiner) matches, and each run of spaces or word is read by the attempts of at most the three words before
 * it, so a whole scan is linear in the text. No two quantifiers may compete for the same run: STATED's
 * `\s*(?::\s*)?` once read `\s*:?\s*`, whose two `\s*` split a run of k spaces k ways ("my password is",
 * 20,000 spaces and "ab" took 1.1 s, quadratic), for the same strings matched.
 */
/** "password: x", "pwd=x", "PIN -> x": a label and a value. */
const LABELLED = new RegExp(String.raw`\b${NOUN}\s*(?:[:=]|->|=>)\s*${VALUE}`, 'gi');
/** "my password is x", "the wifi passcode was x", "my pin is: x". */
const STATED = new RegExp(String.raw`\b(?:my|our|the|his|her|their|your)\s+(?:[\w-]+\s+){0,2}${NOUN}\s+(?:is|was|will be)\s*(?::\s*)?${VALUE}`, 'gi');

/** Words that follow "my password is" in a sentence about a password, not in a disclosed one. */
const NOT_A_PASSWORD = new Set(
  `a an the too not very so really quite still just also now being been weak strong wrong right correct incorrect invalid
  expired same different secure insecure safe unsafe easy hard long short set required changed reset saved stored
  forgotten lost hidden encrypted hashed case-sensitive missing empty blank there here what which that this something
  nothing in on at of for to from with my your his her our their it its`.split(/\s+/),
);
const PLACEHOLDER = /^(?:[*x•.#_-]+|[<[{].*|\[[^\]]*\]|\{[^}]*\}|\$\{?\w+\}?|%\w+%|null|none|n\/a|redacted|hidden|your_?password|password|\*+)$/i;

function plausibleValue(value: string, quoted: boolean): boolean {
  const bare = value.replace(/[.,;!?)]+$/, '');
  if (bare.length < 3 || PLACEHOLDER.test(bare)) return false;
  if (quoted) return true;
  if (NOT_A_PASSWORD.has(bare.toLowerCase())) return false;
  return true;
}

/** Passwords and PINs given in context. The span covers the value only. */
/** Every NOUN above holds one of these; most texts hold none and skip the patterns. */
const ANY_NOUN = /pass|pw|pin/i;

export function findPasswords(text: string): Evidence[] {
  const found: Evidence[] = [];
  if (!ANY_NOUN.test(text)) return found;
  for (const pattern of [LABELLED, STATED]) {
    for (const match of text.matchAll(pattern)) {
      const groupIndex = [1, 2, 3, 4].find((g) => match[g] !== undefined)!;
      const raw = match[groupIndex]!;
      const quoted = groupIndex < 4;
      if (!plausibleValue(raw, quoted)) continue;
      const value = quoted ? raw : raw.replace(/[.,;!?)]+$/, '');
      const end = match.index + match[0].length - (quoted ? 1 : raw.length - value.length);
      const start = end - value.length;
      if (found.some((f) => f.span![0] === start)) continue;
      found.push(finding(DETECTOR, CATEGORY, 'password', start, end));
    }
  }
  return found;
}
