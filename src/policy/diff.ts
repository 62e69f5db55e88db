import { canonicalJson } from '../common/index.ts';
import type { Clause, PolicyDocument } from './document.ts';

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface PolicyDiff {
  from: string;
  to: string;
  added: Clause[];
  removed: Clause[];
  changed: { id: string; changes: FieldChange[] }[];
  unchanged: number;
  /** Document-level fields (title, dates, summary) that differ. */
  document_changes: FieldChange[];
  /** Changelog entries present in `to` but not in `from`. */
  new_changelog_entries: PolicyDocument['changelog'];
}

const CLAUSE_FIELDS = ['section', 'title', 'group', 'text', 'applies_to', 'categories', 'severity', 'severity_overrides', 'exemptions', 'store_check'] as const;
const DOCUMENT_FIELDS = ['name', 'title', 'effective_date', 'source', 'summary'] as const;

/** Added, removed and changed clauses between two versions, field by field. */
export function diffPolicies(from: PolicyDocument, to: PolicyDocument): PolicyDiff {
  const before = new Map(from.clauses.map((c) => [c.id, c]));
  const after = new Map(to.clauses.map((c) => [c.id, c]));
  const changed: PolicyDiff['changed'] = [];
  let unchanged = 0;
  for (const clause of to.clauses) {
    const old = before.get(clause.id);
    if (!old) continue;
    const changes = fieldChanges(old, clause, CLAUSE_FIELDS);
    if (changes.length) changed.push({ id: clause.id, changes });
    else unchanged += 1;
  }
  const knownEntries = new Set(from.changelog.map(changelogKey));
  return {
    from: from.version,
    to: to.version,
    added: to.clauses.filter((c) => !before.has(c.id)),
    removed: from.clauses.filter((c) => !after.has(c.id)),
    changed,
    unchanged,
    document_changes: fieldChanges(from, to, DOCUMENT_FIELDS),
    new_changelog_entries: to.changelog.filter((entry) => !knownEntries.has(changelogKey(entry))),
  };
}

export function changelogKey(entry: PolicyDocument['changelog'][number]): string {
  return `${entry.date}\n${entry.summary}`;
}

function fieldChanges<T extends object>(a: T, b: T, fields: readonly (keyof T & string)[]): FieldChange[] {
  return fields
    .filter((field) => canonicalJson(a[field] ?? null) !== canonicalJson(b[field] ?? null))
    .map((field) => ({ field, from: a[field] ?? null, to: b[field] ?? null }));
}
