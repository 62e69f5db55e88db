import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { localDetection, localDetectionThread } from './local.ts';
import { DetectionThread, analyseInput } from './thread.ts';

const POLICY = readFileSync(new URL('../../policies/usage-policies/2024-01-10.md', import.meta.url), 'utf8');

/** `length` characters of the usage policy's prose, repeated, with `planted` sentences spread through it. */
function longText(length: number, planted: string[]): string {
  let text = '';
  while (text.length < length) text += POLICY;
  text = text.slice(0, length);
  planted.forEach((sentence, i) => {
    const at = Math.floor(((i + 1) * text.length) / (planted.length + 1));
    text = `${text.slice(0, at)} ${sentence} ${text.slice(at)}`;
  });
  return text.slice(0, length);
}

const LONG_TEXTS: Record<string, string> = {
  'policy prose': longText(99_000, []),
  'prose with a card, a key and insults': longText(99_000, ['My card is 4111 1111 1111 1111, charge it.', 'I will kill you, you worthless fucking idiot.', 'token ghp_0123456789abcdefghijABCDEFGHIJ012345 here']),
  'one separator repeated': '1.'.repeat(50_000),
  'homoglyphs and combining marks': 'ｆｕｃｋ y̷o̷u̷ ıdıøt 4111\u00a01111\u00a01111\u00a01111 '.repeat(2_000),
};

describe('the detection thread', () => {
  const detection = localDetection();
  const thread = localDetectionThread();
  afterAll(() => thread.close());

  it('computes exactly what detection computes on the calling thread, for long texts', async () => {
    for (const [name, text] of Object.entries(LONG_TEXTS)) {
      expect(await thread.analyse([text]), name).toEqual(analyseInput(detection, [text]));
    }
    expect(detection.detect(LONG_TEXTS['prose with a card, a key and insults']!).evidence.length).toBeGreaterThan(0);
  }, 120_000);

  it('answers jobs sent together, each with its own texts', async () => {
    const texts = Object.values(LONG_TEXTS);
    const results = await Promise.all([...texts.map((text) => thread.analyse([text])), thread.analyse(texts)]);
    results.slice(0, -1).forEach((result, i) => expect(result).toEqual(analyseInput(detection, [texts[i]!])));
    // Parts of one input: each detected alone, the language of all of them joined.
    expect(results.at(-1)).toEqual(analyseInput(detection, texts));
  }, 120_000);

  it('computes on the calling thread when its worker dies, and waits before starting another', async () => {
    let spawned = 0;
    const dying = new DetectionThread(detection, () => {
      spawned += 1;
      return new Worker('process.exit(3)', { eval: true });
    });
    const text = LONG_TEXTS['prose with a card, a key and insults']!;
    // Sent before the worker exits, answered after it did: the unanswered job is computed here.
    expect(await dying.analyse([text])).toEqual(analyseInput(detection, [text]));
    expect(await dying.analyse([text, 'and a short part'])).toEqual(analyseInput(detection, [text, 'and a short part']));
    expect(spawned).toBe(1);
    await dying.close();
  }, 60_000);
});
