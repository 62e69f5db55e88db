import type { Category } from '../../common/index.ts';
import type { DetectionProvider, Evidence, ProviderResult, TextInput } from '../types.ts';
import { findPaymentCards } from './cards.ts';
import { digitCount } from './finding.ts';
import { findIbans } from './iban.ts';
import { findPasswords } from './passwords.ts';
import { findSecrets } from './secrets.ts';
import { findSsns } from './ssn.ts';

const CATEGORY: Category = 'privacy/sensitive-identifiers';

/** Everything `chatgpt.1.2` names: cards, SSNs, IBANs, API keys and secrets, passwords. */
export function findSensitiveIdentifiers(text: string): Evidence[] {
  // Numbers need digits: most texts have too few for any of them, counted once here for every finder.
  const digits = digitCount(text);
  const numbers = digits >= 2 ? [...findPaymentCards(text, digits), ...findSsns(text, digits), ...findIbans(text, digits)] : [];
  const found = [...numbers, ...findSecrets(text), ...findPasswords(text)];
  return found.sort((a, b) => a.span![0] - b.span![0]);
}

/** Deterministic: a found identifier is certain, so the category scores 1, otherwise 0. */
export function identifiersProvider(): DetectionProvider {
  return {
    id: 'identifiers',
    categories: [CATEGORY],
    thresholds: { [CATEGORY]: 0.5 },
    detect(input: TextInput): ProviderResult {
      const evidence = findSensitiveIdentifiers(input.text);
      return { scores: { [CATEGORY]: evidence.length ? 1 : 0 }, evidence };
    },
  };
}
