import type { SubmissionImage } from './images.ts';
import type { Category } from '../common/index.ts';
import { type CategoryScores, type DetectionResult, normalize, originalSpan } from '../detect/index.ts';
import type { Clause, PolicyDocument } from '../policy/index.ts';
import { type FieldName, type Outcome, type StoreCheck, checkFor } from './checks.ts';
import { SIGNALS, type Signal } from './signals.ts';

export const AUDIENCES = ['everyone', 'children', 'teens', 'adults'] as const;
export const SURFACES = ['gpts', 'api'] as const;

/** What a developer submits about an app. */
export interface SubmissionFields {
  name: string;
  description: string;
  instructions: string;
  conversation_starters: string[];
  /** Who the app is for; `children` means under 13. */
  audience: (typeof AUDIENCES)[number];
  category: string;
  /** Built as a GPT or on the API: decides which service-specific clauses apply, besides `all` and `store`. */
  surface: (typeof SURFACES)[number];
  /** The icon's and screenshots' hashes, when the listing had images. */
  images?: SubmissionImage[];
}

export type DecisionStatus = 'approved' | Outcome;

/** Why an app is not simply approved: the clause, the field and the span that show it. */
export interface Reason {
  clause_id: string;
  outcome: Outcome;
  check: StoreCheck['check'];
  reason: string;
  /** `name`, `description`, `instructions`, `conversation_starters[2]`, `category` or `audience`. */
  field: string;
  /** [start, end) in UTF-16 units of that field's text, as submitted. */
  span: [number, number] | null;
  excerpt: string | null;
  /** What found it: `detector:<id>`, `signal:<id>` or `rule:<id>`. */
  source: string;
  category: Category | null;
}

export interface Decision {
  status: DecisionStatus;
  policy_version: string;
  reasons: Reason[];
}

/** The detect domain's engine, as the store uses it. */
export interface TextDetector {
  readonly thresholds: Readonly<CategoryScores>;
  detect(text: string): DetectionResult;
}

interface FieldText {
  field: FieldName;
  path: string;
  text: string;
}

interface Hit {
  source: string;
  category: Category | null;
  span: [number, number] | null;
}

/** One field's text, analysed once: detection's findings and the store signals it matches. */
interface Analysed extends FieldText {
  detected: Hit[];
  signals: Map<string, Hit[]>;
}

const PROFESSIONAL_REVIEW = /\b(?:reviewed|checked|approved|supervised|overseen) by (?:a )?(?:licensed|qualified|certified|registered) (?:\w+ )?(?:professionals?|lawyers?|attorneys?|doctors?|physicians?|clinicians?|advis[eo]rs?|planners?)\b/;
const AI_DISCLOSURE = /\b(?:discloses?|disclosure|tells? (?:users|you)|states?|informs?)\b[^.]{0,60}\b(?:ai|artificial intelligence)\b/;

/** Judges an app's listing against every clause of a policy version that applies to it. */
export function evaluateSubmission(fields: SubmissionFields, document: PolicyDocument, detector: TextDetector): Decision {
  const analysed = fieldTexts(fields).map((text) => analyse(text, detector));
  const reasons: Reason[] = [];
  for (const clause of document.clauses) {
    if (!appliesToStoreApp(clause, fields.surface)) continue;
    reasons.push(...judgeClause(clause, checkFor(clause), fields, analysed));
  }
  const status: DecisionStatus = reasons.some((r) => r.outcome === 'rejected') ? 'rejected' : reasons.length ? 'needs_review' : 'approved';
  return { status, policy_version: document.version, reasons };
}

/** A store listing answers to the universal clauses, the GPT Store's and its own surface's. */
export function appliesToStoreApp(clause: Clause, surface: SubmissionFields['surface']): boolean {
  return clause.applies_to.some((to) => to === 'all' || to === 'store' || to === surface);
}

function judgeClause(clause: Clause, check: StoreCheck, fields: SubmissionFields, analysed: Analysed[]): Reason[] {
  const inScope = analysed.filter((a) => check.fields.includes(a.field));
  const reason = (a: { path: string; text: string | null }, hit: Hit): Reason => ({
    clause_id: clause.id,
    outcome: check.outcome,
    check: check.check,
    reason: check.reason,
    field: a.path,
    span: hit.span,
    excerpt: hit.span && a.text !== null ? a.text.slice(hit.span[0], hit.span[1]).slice(0, 120) : null,
    source: hit.source,
    category: hit.category,
  });
  const found: Reason[] = [];
  if (check.check === 'detector') {
    const categories = new Set<Category>(clause.categories);
    for (const a of inScope) {
      const hits = [...a.detected, ...[...a.signals.values()].flat()].filter((hit) => hit.category && categories.has(hit.category));
      found.push(...firstPerSource(hits).map((hit) => reason(a, hit)));
    }
    return found;
  }
  if (check.special === 'declared_audience' && fields.audience === 'children') {
    found.push(reason({ path: 'audience', text: null }, { source: 'rule:declared_audience', category: 'minors/targeting', span: null }));
  }
  const signalHits = (a: Analysed) => (check.signals ?? []).flatMap((id) => a.signals.get(id)?.slice(0, 1) ?? []);
  if (check.special === 'advice_safeguards' && hasAdviceSafeguards(analysed)) return found;
  for (const a of inScope) found.push(...signalHits(a).map((hit) => reason(a, hit)));
  for (const a of inScope) found.push(...patternHits(check, a.text).map((hit) => reason(a, hit)));
  if (check.special === 'purpose_mismatch') found.push(...undisclosedPurposes(analysed).map(({ a, hit }) => reason(a, hit)));
  return found;
}

/** The clause's own RE2 patterns, first match each, over the field's text as submitted. */
function patternHits(check: StoreCheck, text: string): Hit[] {
  const hits: Hit[] = [];
  check.patterns?.forEach((pattern, index) => {
    const span = pattern.find(text);
    if (span) hits.push({ source: `rule:pattern[${index}]`, category: null, span });
  });
  return hits;
}

/** api.2.1 allows tailored advice that a qualified professional reviews and whose AI use is disclosed. */
function hasAdviceSafeguards(analysed: Analysed[]): boolean {
  const listing = analysed.map((a) => normalize(a.text).text).join('\n');
  return PROFESSIONAL_REVIEW.test(listing) && AI_DISCLOSURE.test(listing);
}

/** What the instructions are found doing that the public listing (name, description, starters, category) never shows. */
function undisclosedPurposes(analysed: Analysed[]): { a: Analysed; hit: Hit }[] {
  const publicHits = analysed.filter((a) => a.field !== 'instructions').flatMap((a) => [...a.detected, ...[...a.signals.values()].flat()]);
  const shown = new Set(publicHits.map((hit) => hit.category).filter(Boolean));
  const out: { a: Analysed; hit: Hit }[] = [];
  for (const a of analysed.filter((x) => x.field === 'instructions')) {
    const hidden = [...a.detected, ...[...a.signals.values()].flat()].filter((hit) => hit.category && !shown.has(hit.category));
    out.push(...firstPerSource(hidden).map((hit) => ({ a, hit: { ...hit, source: `rule:purpose_mismatch(${hit.source})` } })));
  }
  return out;
}

function firstPerSource(hits: Hit[]): Hit[] {
  const seen = new Set<string>();
  return hits.filter((hit) => {
    const key = `${hit.source}|${hit.category}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Every text field of a listing, each with the path that reasons point at. */
export function fieldTexts(fields: SubmissionFields): FieldText[] {
  return [
    { field: 'name', path: 'name', text: fields.name },
    { field: 'description', path: 'description', text: fields.description },
    { field: 'instructions', path: 'instructions', text: fields.instructions },
    ...fields.conversation_starters.map((text, i) => ({ field: 'conversation_starters' as const, path: `conversation_starters[${i}]`, text })),
    { field: 'category', path: 'category', text: fields.category },
  ];
}

function analyse(field: FieldText, detector: TextDetector): Analysed {
  if (!field.text.trim()) return { ...field, detected: [], signals: new Map() };
  const result = detector.detect(field.text);
  const detected: Hit[] = [];
  for (const [category, score] of Object.entries(result.scores) as [Category, number][]) {
    const threshold = detector.thresholds[category];
    if (threshold === undefined || score < threshold) continue;
    const evidence = result.evidence.find((e) => e.category === category);
    detected.push({ source: `detector:${evidence?.detector ?? 'text-model'}`, category, span: evidence?.span ?? null });
  }
  return { ...field, detected, signals: matchSignals(field.text) };
}

function matchSignals(text: string): Map<string, Hit[]> {
  const normalized = normalize(text);
  const out = new Map<string, Hit[]>();
  for (const signal of SIGNALS as readonly Signal[]) {
    const hits: Hit[] = [];
    for (const pattern of signal.patterns) {
      for (const match of normalized.text.matchAll(pattern)) {
        const span = originalSpan(text, normalized, match.index, match.index + match[0].length);
        hits.push({ source: `signal:${signal.id}`, category: signal.category, span: [span.start, span.end] });
      }
    }
    if (hits.length) out.set(signal.id, hits.sort((x, y) => x.span![0] - y.span![0]));
  }
  return out;
}
