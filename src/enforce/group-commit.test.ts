import { describe, expect, it } from 'vitest';
import { Conflict } from '../common/index.ts';
import type { EventInput, EventResult, Recorded } from './events.ts';
import { GroupCommitter } from './group-commit.ts';

function event(id: string): EventInput {
  return { id, account: 'a', account_kind: 'user', source: 'api', violations: [{ clause_id: 'api.3.3' }] };
}

/** Records by echoing ids; refuses any group holding an id starting with "bad". */
function recorder() {
  const groups: string[][] = [];
  const recordMany = async (_tenant: string, _actor: string, events: EventInput[]): Promise<Recorded[]> => {
    groups.push(events.map((e) => e.id));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const bad = events.find((e) => e.id.startsWith('bad'));
    if (bad) throw new Conflict(`refused ${bad.id}`, 'id');
    return events.map((e) => ({ result: { id: e.id } as EventResult, replayed: false }));
  };
  return { groups, recordMany };
}

describe('GroupCommitter', () => {
  it('records concurrent requests in one transaction, and those arriving during it in the next', async () => {
    const { groups, recordMany } = recorder();
    const committer = new GroupCommitter(recordMany);
    const first = ['e1', 'e2', 'e3'].map((id) => committer.record('t', 'k', event(id)));
    await new Promise((resolve) => setTimeout(resolve, 3)); // the first group's transaction is running
    const later = ['e4', 'e5'].map((id) => committer.record('t', 'k', event(id)));
    const results = await Promise.all([...first, ...later]);
    expect(results.map((r) => r.result.id)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    expect(groups).toEqual([
      ['e1', 'e2', 'e3'],
      ['e4', 'e5'],
    ]);
  });

  it('keeps tenants and callers apart and caps a group', async () => {
    const { groups, recordMany } = recorder();
    const committer = new GroupCommitter(recordMany, 2);
    await Promise.all([
      committer.record('t1', 'k', event('a')),
      committer.record('t2', 'k', event('b')),
      committer.record('t1', 'k', event('c')),
      committer.record('t1', 'k', event('d')),
      committer.record('t1', 'other-key', event('e')),
    ]);
    expect(groups).toHaveLength(4);
    expect(groups).toEqual(expect.arrayContaining([['a', 'c'], ['b'], ['d'], ['e']]));
  });

  it('retries a failed group one by one, so only the bad event fails', async () => {
    const { recordMany } = recorder();
    const committer = new GroupCommitter(recordMany);
    const outcomes = await Promise.allSettled(['e1', 'e2', 'bad3', 'e4'].map((id) => committer.record('t', 'k', event(id))));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(Conflict);
  });
});
