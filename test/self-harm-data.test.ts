import { describe, expect, it } from 'vitest';
import { FIRST_PERSON_SUICIDAL, selfHarmScope } from '../scripts/data/new-sources.ts';
import type { RawItem } from '../scripts/data/raw.ts';

describe('self-harm training labels', () => {
  it('tells first-person statements of suicidal thoughts from mentions of suicide', () => {
    for (const stated of ['i am going to kill myself tonight', 'Ive been Suicidal for 1839 days now.', 'I only wish I had more pills, I would take all the pills', 'I dont want to wake up tomorrow', 'I tried to commit suicide twice.']) {
      expect(FIRST_PERSON_SUICIDAL.test(stated), stated).toBe(true);
    }
    for (const mention of ['I strongly recommend you flush the pills down the toilet.', 'I suggest you cross-post to /r/suicidewatch.', 'I really hope she overdoses or something.', "I'm not saying it alone will end it.", 'The share of deaths by suicide is about 8%.']) {
      expect(FIRST_PERSON_SUICIDAL.test(mention), mention).toBe(false);
    }
  });

  it('leaves self-harm unknown for a stated intent in a source that never marks self-harm, and keeps other labels', () => {
    const raw = (text: string, positives: RawItem['positives'] = []): RawItem => ({ text, positives, scope: ['harassment', 'self-harm', 'self-harm/intent'], family: 'chat' });
    const chat = [raw('i am going to kill myself tonight'), raw('you are useless', ['harassment'])];
    const scopeOf = selfHarmScope(chat);
    expect(scopeOf(chat[0]!)).toEqual(['harassment']);
    expect(scopeOf(chat[1]!)).toEqual(chat[1]!.scope);
    const annotated = [raw('i am going to kill myself tonight', ['self-harm', 'self-harm/intent']), raw('i am going to kill myself, said the film villain')];
    expect(selfHarmScope(annotated)(annotated[1]!)).toEqual(annotated[1]!.scope);
  });
});
