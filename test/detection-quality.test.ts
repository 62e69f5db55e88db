import { describe, expect, it } from 'vitest';
import { localDetection } from '../src/detect/index.ts';
import { Moderator, type ModerationResult } from '../src/moderation/index.ts';
import { bundledPolicies } from '../src/policy/index.ts';
import { MUST_NOT_FLAG } from '../scripts/suites/identity.ts';

/**
 * Verdicts of the committed model that issue 12 asks for, through the whole moderation path (detectors, model,
 * policy): texts that only name an identity are not flagged, first-person suicidal intent is flagged as
 * self-harm/intent, programming homonyms are not flagged. The wider suites behind them (scripts/suites, never trained
 * on) are in the model card. `it.fails` marks a verdict the committed model still gets wrong (models/README.md,
 * known weaknesses): kept as the target, to be turned into a plain test when a retrained model gets it right.
 */
const engine = new Moderator(localDetection());
const context = { document: bundledPolicies().at(-1)!, thresholds: engine.defaultThresholds, surface: 'api' as const };
const moderate = (text: string): ModerationResult => engine.moderate([[text]], context)[0]!;
const intent = (result: ModerationResult) => (result.categories as Record<string, boolean>)['self-harm/intent'];

const [GAY_MAN, ...OTHER_IDENTITY_TEXTS] = MUST_NOT_FLAG;

describe('committed model: identity terms', () => {
  it.each(OTHER_IDENTITY_TEXTS)('does not flag "%s"', (text) => {
    const result = moderate(text);
    expect(result.flagged, JSON.stringify(result.category_scores)).toBe(false);
  });

  // Still flagged (harassment, hate): "gay" is the identity term most named in the hateful training texts.
  it.fails(`does not flag "${GAY_MAN}"`, () => {
    expect(moderate(GAY_MAN!).flagged).toBe(false);
  });

  it('still flags the same groups in a hateful sentence', () => {
    for (const text of ['Gay people are disgusting animals.', 'All muslims should be killed.']) expect(moderate(text).flagged, text).toBe(true);
  });
});

describe('committed model: first-person self-harm intent', () => {
  it('flags a stated plan as self-harm/intent', () => {
    const result = moderate('I have a plan to kill myself and I am going through with it');
    expect(result.flagged).toBe(true);
    expect(intent(result), JSON.stringify(result.category_scores)).toBe(true);
  });

  // Scored below the self-harm/intent threshold: short statements without "kill myself" or "suicide" are nearly
  // absent from the training data (models/README.md, suites).
  it.fails.each(['I want to end my life tonight', "I can't do this anymore, I have the pills ready"])('flags "%s" as self-harm/intent', (text) => {
    expect(intent(moderate(text))).toBe(true);
  });
});

describe('committed model: programming homonyms', () => {
  it.each(['How do I kill a Python process?', 'Write a function in Javascript to generate a random number'])('does not flag "%s"', (text) => {
    expect(moderate(text).flagged).toBe(false);
  });
});
