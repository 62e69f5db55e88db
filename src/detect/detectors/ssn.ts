import type { Evidence } from '../types.ts';
import { digitCount, finding } from './finding.ts';

const DETECTOR = 'identifiers';
const CATEGORY = 'privacy/sensitive-identifiers';

/** AAA-GG-SSSS with dashes or spaces, the same separator twice. Linear time: fixed-length, at most 11 characters (plus one-character lookarounds) per start position. */
const SEPARATED = /(?<![\d-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\d]|-\d)/g;
/** Nine bare digits count only right after a word that says what they are. */
const BARE_WITH_CUE = /\b(?:ssn|social security(?: number| no\.?| #)?|ss#)\s*(?:is|:|#|=)?\s*(\d{3})(\d{2})(\d{4})(?!\d)/gi;

/** Numbers the SSA never issues, and ones published in advertising that are known not to be anyone's. */
const PUBLISHED = new Set(['078051120', '219099999']);

export function validSsn(area: string, group: string, serial: string): boolean {
  const areaNumber = Number(area);
  if (areaNumber === 0 || areaNumber === 666 || areaNumber >= 900) return false;
  if (group === '00' || serial === '0000') return false;
  return !PUBLISHED.has(area + group + serial);
}

/** US social security numbers outside the ranges that are never issued. `digits`: the text's digitCount, when the caller has it. */
export function findSsns(text: string, digits: number = digitCount(text)): Evidence[] {
  const found: Evidence[] = [];
  if (digits < 9) return found;
  for (const match of text.matchAll(SEPARATED)) {
    if (!validSsn(match[1]!, match[3]!, match[4]!)) continue;
    found.push(finding(DETECTOR, CATEGORY, 'ssn', match.index, match.index + match[0].length));
  }
  for (const match of text.matchAll(BARE_WITH_CUE)) {
    if (!validSsn(match[1]!, match[2]!, match[3]!)) continue;
    const end = match.index + match[0].length;
    found.push(finding(DETECTOR, CATEGORY, 'ssn', end - 9, end));
  }
  return found;
}
