import type { Evidence } from '../types.ts';
import { digitCount, finding } from './finding.ts';

const DETECTOR = 'identifiers';
const CATEGORY = 'privacy/sensitive-identifiers';

/**
 * 12–19 digits, optionally grouped by single spaces or dashes, not part of a longer number. Linear time: an
 * attempt reads at most 37 characters (19 digits, 18 separators), and `[ -]?\d` has one way to match what
 * follows (a separator or not), so backtracking only gives back whole repetitions, at most 8: a bounded cost
 * per start position.
 */
const CANDIDATE = /(?<![\d-])\d(?:[ -]?\d){11,18}(?![\d]|-\d)/g;

interface Network {
  name: string;
  lengths: readonly number[];
  /** Inclusive ranges of a prefix of `digits` length. */
  prefixes: readonly (readonly [number, number])[];
  digits: number;
}

/** Issuer identification number ranges of the major card networks. */
const NETWORKS: readonly Network[] = [
  { name: 'amex', lengths: [15], digits: 2, prefixes: [[34, 34], [37, 37]] },
  { name: 'visa', lengths: [13, 16, 19], digits: 1, prefixes: [[4, 4]] },
  { name: 'mastercard', lengths: [16], digits: 4, prefixes: [[2221, 2720], [5100, 5599]] },
  { name: 'discover', lengths: [16, 17, 18, 19], digits: 6, prefixes: [[601100, 601199], [644000, 659999]] },
  { name: 'unionpay', lengths: [16, 17, 18, 19], digits: 2, prefixes: [[62, 62]] },
  { name: 'jcb', lengths: [16, 17, 18, 19], digits: 4, prefixes: [[3528, 3589]] },
  { name: 'diners', lengths: [14, 15, 16, 17, 18, 19], digits: 3, prefixes: [[300, 305], [360, 369], [380, 399]] },
  { name: 'maestro', lengths: [12, 13, 14, 15, 16, 17, 18, 19], digits: 2, prefixes: [[50, 50], [56, 69]] },
];

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** The card network whose IIN range and length fit, or null. */
export function cardNetwork(digits: string): string | null {
  for (const network of NETWORKS) {
    if (!network.lengths.includes(digits.length)) continue;
    const prefix = Number(digits.slice(0, network.digits));
    if (network.prefixes.some(([low, high]) => prefix >= low && prefix <= high)) return network.name;
  }
  return null;
}

/** Payment card numbers: a known network's IIN range and length, and a valid Luhn check digit. `digits`: the text's digitCount, when the caller has it. */
export function findPaymentCards(text: string, digits: number = digitCount(text)): Evidence[] {
  const found: Evidence[] = [];
  if (digits < 12) return found;
  for (const match of text.matchAll(CANDIDATE)) {
    const digits = match[0].replace(/[ -]/g, '');
    if (!hasConsistentSeparators(match[0]) || !luhnValid(digits)) continue;
    const network = cardNetwork(digits);
    if (!network) continue;
    found.push(finding(DETECTOR, CATEGORY, `payment_card:${network}`, match.index, match.index + match[0].length));
  }
  return found;
}

/** "4111 1111 1111 1111" and "4111-1111-…" are cards; "4111 1111-1111 1111 12" mixed junk is not. */
function hasConsistentSeparators(candidate: string): boolean {
  return !(candidate.includes(' ') && candidate.includes('-'));
}
