import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.ts';

/** Commits by echoing items; refuses any group holding an item starting with "bad". */
function recorder() {
  const groups: string[][] = [];
  const commitMany = async (items: string[]): Promise<string[]> => {
    groups.push(items);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const bad = items.find((item) => item.startsWith('bad'));
    if (bad) throw new Error(`refused ${bad}`);
    return items.map((item) => `done:${item}`);
  };
  return { groups, commitMany };
}

describe('GroupCommit', () => {
  it('commits concurrent items in one group, and those arriving during it in the next', async () => {
    const { groups, commitMany } = recorder();
    const committer = new GroupCommit(commitMany);
    const first = ['e1', 'e2', 'e3'].map((id) => committer.submit('k', id));
    await new Promise((resolve) => setTimeout(resolve, 3)); // the first group's transaction is running
    const later = ['e4', 'e5'].map((id) => committer.submit('k', id));
    expect(await Promise.all([...first, ...later])).toEqual(['done:e1', 'done:e2', 'done:e3', 'done:e4', 'done:e5']);
    expect(groups).toEqual([
      ['e1', 'e2', 'e3'],
      ['e4', 'e5'],
    ]);
  });

  it('keeps keys apart and caps a group', async () => {
    const { groups, commitMany } = recorder();
    const committer = new GroupCommit(commitMany, { maxGroup: 2 });
    await Promise.all([committer.submit('t1', 'a'), committer.submit('t2', 'b'), committer.submit('t1', 'c'), committer.submit('t1', 'd'), committer.submit('t3', 'e')]);
    expect(groups).toHaveLength(4);
    expect(groups).toEqual(expect.arrayContaining([['a', 'c'], ['b'], ['d'], ['e']]));
  });

  it('retries a failed group one by one, so only the bad item fails', async () => {
    const { commitMany } = recorder();
    const committer = new GroupCommit(commitMany);
    const outcomes = await Promise.allSettled(['e1', 'e2', 'bad3', 'e4'].map((id) => committer.submit('k', id)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toEqual(new Error('refused bad3'));
  });

  it('runs onIdle once a queue has drained', async () => {
    const { commitMany } = recorder();
    let idle = 0;
    const committer = new GroupCommit(commitMany, { onIdle: async () => void (idle += 1) });
    await Promise.all([committer.submit('k', 'a'), committer.submit('k', 'b')]);
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(idle).toBe(1);
  });
});

describe('GroupCommit with maxWindowMs', () => {
  it('waits about as long as the last commit took, so slow commits gather bigger groups', async () => {
    const groups: string[][] = [];
    const slow = async (items: string[]) => {
      groups.push(items);
      await new Promise((resolve) => setTimeout(resolve, 40));
      return items;
    };
    const committer = new GroupCommit(slow, { maxWindowMs: 80 });
    await committer.submit('k', 'first'); // teaches it that a commit takes ~40 ms
    const late = committer.submit('k', 'a');
    await new Promise((resolve) => setTimeout(resolve, 10)); // inside the ~40 ms window, well past the 1 ms default
    await Promise.all([late, committer.submit('k', 'b')]);
    expect(groups).toEqual([['first'], ['a', 'b']]);
  });
});
