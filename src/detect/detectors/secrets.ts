import type { Evidence } from '../types.ts';
import { finding } from './finding.ts';

const DETECTOR = 'identifiers';
const CATEGORY = 'privacy/sensitive-identifiers';

interface SecretPattern {
  kind: string;
  pattern: RegExp;
  /** Extra check on the match, for shapes that ordinary words could take. */
  accept?: (secret: string) => boolean;
}

const hasDigitAndLetter = (s: string) => /\d/.test(s) && /[A-Za-z]/.test(s);

/**
 * Credential formats published by their providers; each names the provider in `kind`.
 *
 * Linear time: none of these patterns can backtrack more than a constant per position. Repeats
 * are either bounded, or over a class that the next token cannot start (so there is one way to
 * split), and lookbehinds read a bounded number of characters back (`\s{0,8}`, not `\s*`: with
 * `\s*`, every position of a long run of spaces after "aws" or "bearer" re-read the whole run
 * backwards, and 80,000 spaces took 28 s). A private key's body stops at the next "-----BEGIN ",
 * so a text of many BEGIN lines without an END is scanned once, not once per BEGIN.
 */
const PATTERNS: readonly SecretPattern[] = [
  { kind: 'private_key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:(?:(?!-----BEGIN )[\s\S])*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s:,-]*)/g },
  { kind: 'api_key:openai', pattern: /(?<![\w-])sk-(?:proj-|svcacct-|admin-|ant-(?:api\d\d-)?)?[A-Za-z0-9_-]{20,}(?![\w-])/g, accept: hasDigitAndLetter },
  { kind: 'api_key:stripe', pattern: /(?<!\w)(?:sk|rk)_live_[A-Za-z0-9]{16,}(?!\w)/g },
  { kind: 'api_key:aws', pattern: /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/g },
  { kind: 'api_key:aws_secret', pattern: /(?<=aws_?secret_?(?:access_?)?key["']?\s{0,8}[:=]\s{0,8}["']?)[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/gi },
  { kind: 'api_key:github', pattern: /(?<!\w)(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})(?!\w)/g },
  { kind: 'api_key:slack', pattern: /(?<![\w-])xox[abeoprs]-[A-Za-z0-9-]{10,}(?![\w-])/g },
  { kind: 'webhook:slack', pattern: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9]+\/[A-Za-z0-9]+\/[A-Za-z0-9]+/g },
  { kind: 'api_key:google', pattern: /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g },
  { kind: 'token:jwt', pattern: /(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}(?![\w-])/g },
  { kind: 'token:bearer', pattern: /(?<=\bbearer\s{1,8})[A-Za-z0-9._~+/-]{20,}=*(?![\w.~+/-])/gi, accept: hasDigitAndLetter },
];

/** Text that every pattern above needs (case aside): most texts hold none of it and skip the patterns. */
const ANY_PREFIX = /-----BEGIN|sk-|k_live_|A(?:KIA|SIA|BIA|CCA)|aws|gh[pousr]_|github_pat_|xox|hooks\.slack\.com|AIza|eyJ|bearer/i;

/** API keys, tokens and private keys of common providers. */
export function findSecrets(text: string): Evidence[] {
  const found: Evidence[] = [];
  if (!ANY_PREFIX.test(text)) return found;
  for (const { kind, pattern, accept } of PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      if (accept && !accept(match[0])) continue;
      if (kind === 'token:bearer' && match[0].startsWith('eyJ') && found.some((f) => f.span![0] === match.index)) continue;
      found.push(finding(DETECTOR, CATEGORY, kind, match.index, match.index + match[0].trimEnd().length));
    }
  }
  return found;
}
