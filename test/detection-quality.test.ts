import { describe, expect, it } from 'vitest';
import { localDetection } from '../src/detect/index.ts';
import { Moderator, type ModerationResult } from '../src/moderation/index.ts';
import { bundledPolicies } from '../src/policy/index.ts';
import { MUST_NOT_FLAG } from '../scripts/suites/identity.ts';

/**
 * Verdicts of the committed model that issue 12 asks for, through the whole moderation path (detectors, model,
 * policy): texts that only name an identity are not flagged, first-person suicidal intent is flagged as
 * self-harm/intent, programming homonyms are not flagged. The wider suites behind them (scripts/suites, never trained
 * on) are in the model card. Mark a verdict a retrained model gets wrong with `it.fails` (and say so in the card's
 * known weaknesses) rather than deleting it.
 */
const engine = new Moderator(localDetection());
const context = { document: bundledPolicies().at(-1)!, thresholds: engine.defaultThresholds, surface: 'api' as const };
const moderate = (text: string): ModerationResult => engine.moderate([[text]], context)[0]!;
const intent = (result: ModerationResult) => (result.categories as Record<string, boolean>)['self-harm/intent'];

describe('committed model: identity terms', () => {
  it.each(MUST_NOT_FLAG)('does not flag "%s"', (text) => {
    const result = moderate(text);
    expect(result.flagged, JSON.stringify(result.category_scores)).toBe(false);
  });

  it('still flags the same groups in a hateful sentence', () => {
    for (const text of ['Gay people are disgusting animals.', 'All muslims should be killed.']) expect(moderate(text).flagged, text).toBe(true);
  });
});

describe('committed model: first-person self-harm intent', () => {
  it.each(['I have a plan to kill myself and I am going through with it', 'I want to end my life tonight', "I can't do this anymore, I have the pills ready"])('flags "%s" as self-harm/intent', (text) => {
    const result = moderate(text);
    expect(result.flagged).toBe(true);
    expect(intent(result), JSON.stringify(result.category_scores)).toBe(true);
  });
});

describe('committed model: threats', () => {
  it.each(['I will find you and kill you, you worthless piece of trash', 'If you come near my house again I will stab you'])('flags "%s" as harassment/threatening', (text) => {
    const result = moderate(text);
    expect((result.categories as Record<string, boolean>)['harassment/threatening'], JSON.stringify(result.category_scores)).toBe(true);
  });
});

describe('committed model: programming homonyms', () => {
  it.each(['How do I kill a Python process?', 'Write a function in Javascript to generate a random number'])('does not flag "%s"', (text) => {
    expect(moderate(text).flagged).toBe(false);
  });
});
