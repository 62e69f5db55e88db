import type { Evidence } from '../types.ts';
import { digitCount, finding } from './finding.ts';

const DETECTOR = 'identifiers';
const CATEGORY = 'privacy/sensitive-identifiers';

/**
 * Country code, check digits, then the account in groups of four (spaces optional). Linear time: an attempt
 * reads at most 64 characters, and ` ?[A-Z0-9]` has one way to match what follows, so backtracking only gives
 * back whole repetitions, at most 20: a bounded cost per start position.
 */
const CANDIDATE = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/gi;

/** IBAN length by country (ISO 13616 registry). */
const LENGTHS: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18,
  GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32,
  LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24,
  PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28,
  TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

/** ISO 7064 mod 97-10 over the rearranged IBAN, computed piecewise to stay within safe integers. */
export function ibanChecksumValid(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = (value >= 10 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

export function validIban(compact: string): boolean {
  const expected = LENGTHS[compact.slice(0, 2)];
  return expected === compact.length && ibanChecksumValid(compact);
}

/** International bank account numbers with a registered country length and a valid mod-97 check. `digits`: the text's digitCount, when the caller has it. */
export function findIbans(text: string, digits: number = digitCount(text)): Evidence[] {
  const found: Evidence[] = [];
  if (digits < 2) return found;
  for (const match of text.matchAll(CANDIDATE)) {
    const compact = match[0].replace(/ /g, '').toUpperCase();
    const expected = LENGTHS[compact.slice(0, 2)];
    if (expected === undefined || compact.length < expected) continue;
    // The candidate may run into the next word ("… DE89 3704 0044 0532 0130 00 please"): keep the IBAN's length.
    const iban = compact.slice(0, expected);
    if (!ibanChecksumValid(iban)) continue;
    const end = endOfCompactPrefix(match[0], expected);
    found.push(finding(DETECTOR, CATEGORY, 'iban', match.index, match.index + end));
  }
  return found;
}

/** Length in the spaced text that holds the first `count` non-space characters. */
function endOfCompactPrefix(spaced: string, count: number): number {
  let seen = 0;
  for (let i = 0; i < spaced.length; i += 1) {
    if (spaced[i] !== ' ') seen += 1;
    if (seen === count) return i + 1;
  }
  return spaced.length;
}
