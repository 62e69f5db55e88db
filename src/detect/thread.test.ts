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

  it('analyses a batch on both threads, in order, exactly as on the calling thread', async () => {
    const short = ['Have a nice day, friend.', 'I will kill you, you worthless fucking idiot.', 'My card is 4111 1111 1111 1111, charge it.', 'Bonjour, comment allez-vous aujourd\'hui ?', '', 'Wie kann ich einen hängenden Prozess beenden?'];
    const inputs = Array.from({ length: 64 }, (_, i) => (i % 9 === 4 ? [short[i % short.length]!, 'and a second part'] : [`${short[i % short.length]!} (${i})`]));
    inputs.splice(5, 0, [LONG_TEXTS['prose with a card, a key and insults']!]);
    const expected = inputs.map((parts) => analyseInput(detection, parts));
    for (let round = 0; round < 3; round++) expect(await thread.analyseMany(inputs)).toEqual(expected);
    // Several at once, with single inputs between them, and the trivial cases.
    const [a, single, b] = await Promise.all([thread.analyseMany(inputs.slice(0, 10)), thread.analyse(inputs[3]!), thread.analyseMany(inputs.slice(10))]);
    expect([...a, ...b]).toEqual(expected);
    expect(single).toEqual(expected[3]);
    // Yielding the event loop between slices (here after every input): the same results.
    let polled = 0;
    const ticker = setInterval(() => (polled += 1), 0);
    expect(await thread.analyseMany(inputs, { sliceMs: 0 })).toEqual(expected);
    clearInterval(ticker);
    expect(polled).toBeGreaterThan(0);
    expect(await thread.analyseMany([])).toEqual([]);
    expect(await thread.analyseMany([inputs[1]!])).toEqual([expected[1]]);
  }, 120_000);

  it('gives the thread a share of a batch when it is idle, and none when it is busy with a long text', async () => {
    const inputs = Array.from({ length: 32 }, (_, i) => [longText(3_000, [`you worthless idiot number ${i}`])]);
    await thread.analyse(['warm up']);
    const expected = inputs.map((parts) => analyseInput(detection, parts));
    const before = { ...thread.shared };
    expect(await thread.analyseMany(inputs)).toEqual(expected);
    expect(thread.shared.onThread).toBeGreaterThan(before.onThread);
    expect(thread.shared.here + thread.shared.onThread).toBe(before.here + before.onThread + inputs.length);
    const busy = thread.analyse([longText(400_000, [])]);
    const onThread = thread.shared.onThread;
    expect(await thread.analyseMany(inputs.slice(0, 4))).toEqual(expected.slice(0, 4));
    expect(thread.shared.onThread).toBe(onThread);
    await busy;
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
    expect(await dying.analyseMany([[text], ['short']])).toEqual([analyseInput(detection, [text]), analyseInput(detection, ['short'])]);
    expect(spawned).toBe(1);
    await dying.close();
  }, 60_000);

  it('computes a batch share the thread claimed on the calling thread when the thread dies with it', async () => {
    // A worker that claims every input of the first batch it is sent, then exits without answering.
    const claiming = new DetectionThread(detection, () => new Worker(`
      const { parentPort } = require('node:worker_threads');
      parentPort.on('message', (jobs) => {
        for (const job of jobs) if (job.claims) for (let i = job.claims.length - 1; i >= 0; i--) Atomics.compareExchange(job.claims, i, 0, 2);
        process.exit(1);
      });`, { eval: true }));
    const inputs = [['one text'], ['I will kill you, you idiot.'], ['4111 1111 1111 1111']];
    // The worker is slow to start: let it come up first, so that it claims before this thread does.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await claiming.analyseMany(inputs)).toEqual(inputs.map((parts) => analyseInput(detection, parts)));
    await claiming.close();
  }, 60_000);
});
