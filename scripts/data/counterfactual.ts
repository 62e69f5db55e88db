/**
 * Counterfactual identity augmentation: a benign training text that names an identity group is copied with each
 * group term swapped for another of the same axis ("gay" → "bisexual", "muslims" → "hindus"), its labels kept.
 * Where an identity is named mostly in hateful examples the word itself becomes the signal (issue 12, finding 3);
 * the copies put every term into as many benign contexts as the most-named ones. Harmful texts are not copied:
 * measured with train:compare (models/README.md, "Issue-12 sources"), copying them too spread the hateful contexts
 * of the most-named groups onto every term and raised the identity suite's false positives (9.2% → 12.0%).
 */
import { sha256Hex } from '../../src/common/index.ts';
import { IDENTITY_TERMS, PEOPLE_NOUNS, type IdentityTerm } from './identities.ts';
import type { LabelledItem } from './labels.ts';

export const COUNTERFACTUAL_SOURCE = 'identity_counterfactual';

interface Form {
  axis: string;
  term: IdentityTerm;
  plural: boolean;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/[- ]/g, '[- ]');

/** One pattern over every form, longest first; an ambiguous adjective only before a people noun. */
function buildMatcher(): { pattern: RegExp; forms: Map<string, Form> } {
  const forms = new Map<string, Form>();
  const alternatives: string[] = [];
  const people = `(?=\\s+(?:${PEOPLE_NOUNS.join('|')})\\b)`;
  for (const [axis, terms] of Object.entries(IDENTITY_TERMS)) {
    for (const term of terms) {
      forms.set(term.adjective.replace('-', ' '), { axis, term, plural: false });
      alternatives.push(term.ambiguous ? `${escape(term.adjective)}${people}` : escape(term.adjective));
      if (!term.plural.endsWith(' people')) {
        forms.set(term.plural.replace('-', ' '), { axis, term, plural: true });
        alternatives.push(escape(term.plural));
      }
    }
  }
  alternatives.sort((a, b) => b.length - a.length);
  return { pattern: new RegExp(`\\b(?:${alternatives.join('|')})\\b`, 'gi'), forms };
}

const { pattern, forms } = buildMatcher();

/** The text with every identity mention swapped, one replacement per axis picked by `choose`; null when none. */
export function swapIdentities(text: string, choose: (axis: string, current: IdentityTerm) => IdentityTerm): string | null {
  const picked = new Map<string, IdentityTerm>();
  let swapped = false;
  const result = text.replace(pattern, (match) => {
    const form = forms.get(match.toLowerCase().replace('-', ' '));
    if (!form) return match;
    const replacement = picked.get(form.axis) ?? choose(form.axis, form.term);
    picked.set(form.axis, replacement);
    swapped = true;
    const word = form.plural ? replacement.plural : replacement.adjective;
    return match[0] === match[0]!.toUpperCase() ? word[0]!.toUpperCase() + word.slice(1) : word;
  });
  return swapped ? result : null;
}

/**
 * `copies` counterfactual copies of each benign training item that names an identity, at most `limit` in all (a
 * seeded choice of items when more qualify). Each copy picks, per axis, a term other than the one in the text.
 */
export function counterfactuals(train: LabelledItem[], copies: number, limit: number, seed: string): LabelledItem[] {
  const result: LabelledItem[] = [];
  for (const item of train) {
    if (item.flagged || Object.values(item.labels).some(Boolean)) continue;
    for (let k = 0; k < copies; k++) {
      const choose = (axis: string, current: IdentityTerm) => {
        const others = IDENTITY_TERMS[axis as keyof typeof IDENTITY_TERMS].filter((term) => term !== current && !term.ambiguous);
        return others[parseInt(sha256Hex(`${seed}:${item.id}:${k}:${axis}`).slice(0, 8), 16) % others.length]!;
      };
      const text = swapIdentities(item.text, choose);
      if (text !== null) result.push({ ...item, id: `${COUNTERFACTUAL_SOURCE}:${item.id}:${k}`, text, source: COUNTERFACTUAL_SOURCE });
    }
  }
  if (result.length <= limit) return result;
  return result.map((item) => ({ item, order: sha256Hex(`${seed}:${item.id}`) })).sort((a, b) => (a.order < b.order ? -1 : 1)).slice(0, limit).map((x) => x.item).sort((a, b) => (a.id < b.id ? -1 : 1));
}
