import { describe, expect, it } from 'vitest';
import { bundledPolicies } from './bundled.ts';
import { diffPolicies } from './diff.ts';

describe('diffPolicies', () => {
  const base = bundledPolicies()[0]!;

  it('reports nothing between a version and itself', () => {
    const diff = diffPolicies(base, base);
    expect(diff).toMatchObject({ added: [], removed: [], changed: [], unchanged: 38, document_changes: [], new_changelog_entries: [] });
  });

  it('reports added, removed and changed clauses field by field', () => {
    const next = structuredClone(base);
    next.version = '2024-06-01';
    next.changelog.unshift({ date: '2024-06-01', summary: 'Tightened store rules.' });
    next.clauses = next.clauses.filter((c) => c.id !== 'api.3.4');
    const store1 = next.clauses.find((c) => c.id === 'store.1')!;
    store1.severity = 'high';
    store1.title = 'Profane names';
    next.clauses.push({ ...store1, id: 'store.5', title: 'Gambling apps', categories: ['gambling-lending'] });

    const diff = diffPolicies(base, next);
    expect(diff.added.map((c) => c.id)).toEqual(['store.5']);
    expect(diff.removed.map((c) => c.id)).toEqual(['api.3.4']);
    expect(diff.changed).toEqual([
      {
        id: 'store.1',
        changes: [
          { field: 'title', from: 'Profanity in GPT names', to: 'Profane names' },
          { field: 'severity', from: 'medium', to: 'high' },
        ],
      },
    ]);
    expect(diff.unchanged).toBe(36);
    expect(diff.new_changelog_entries).toEqual([{ date: '2024-06-01', summary: 'Tightened store rules.' }]);
  });
});
