import { describe, expect, it } from 'vitest';
import { type LabelledItem, averagePrecision, evaluate, parseLabelledJsonl, precisionRecallF1, thresholdRelativeScore } from './evaluation.ts';

describe('precisionRecallF1', () => {
  it('matches a hand count', () => {
    // tp=2 (0,1), fp=1 (2), fn=1 (3), tn=1 (4)
    const m = precisionRecallF1([true, true, true, false, false], [true, true, false, true, false]);
    expect(m.precision).toBeCloseTo(2 / 3);
    expect(m.recall).toBeCloseTo(2 / 3);
    expect(m.f1).toBeCloseTo(2 / 3);
  });

  it('is 0, not NaN, when nothing is predicted or nothing is positive', () => {
    expect(precisionRecallF1([false, false], [true, false])).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(precisionRecallF1([true], [false])).toEqual({ precision: 0, recall: 0, f1: 0 });
  });
});

describe('averagePrecision', () => {
  it('is 1 for a perfect ranking', () => {
    expect(averagePrecision([0.9, 0.8, 0.1], [true, true, false])).toBe(1);
  });

  it('matches a hand-computed ranking', () => {
    // ranked: + - + - : hits at ranks 1 and 3 → AP = (1/1 + 2/3) / 2
    expect(averagePrecision([0.9, 0.8, 0.7, 0.6], [true, false, true, false])).toBeCloseTo((1 + 2 / 3) / 2);
    // ranked: - + + : AP = (1/2 + 2/3) / 2
    expect(averagePrecision([0.9, 0.5, 0.4], [false, true, true])).toBeCloseTo((1 / 2 + 2 / 3) / 2);
  });

  it('lets tied scores enter together', () => {
    // all tied: one threshold, precision 1/2 at recall 1
    expect(averagePrecision([0.5, 0.5, 0.5, 0.5], [true, false, true, false])).toBeCloseTo(0.5);
    // 0.9 (+), then tie {+, -}: (1/2)·1 + (1/2)·(2/3)
    expect(averagePrecision([0.9, 0.4, 0.4], [true, true, false])).toBeCloseTo(0.5 + 1 / 3);
  });

  it('is 0 with no positives', () => {
    expect(averagePrecision([0.3, 0.2], [false, false])).toBe(0);
  });
});

describe('thresholdRelativeScore', () => {
  it('puts the threshold at 0.5 and keeps order', () => {
    expect(thresholdRelativeScore(0.2, 0.2)).toBe(0.5);
    expect(thresholdRelativeScore(0.1, 0.2)).toBeCloseTo(0.25);
    expect(thresholdRelativeScore(0.6, 0.2)).toBeCloseTo(0.75);
    expect(thresholdRelativeScore(1, 0.9)).toBe(1);
  });
});

describe('evaluate', () => {
  const items: LabelledItem[] = [
    { id: 'a', text: 'hate hate', flagged: true, labels: { hate: true } },
    { id: 'b', text: 'kind words', flagged: false, labels: { hate: false } },
    { id: 'c', text: 'violent', flagged: true, labels: { violence: true } },
    { id: 'd', text: 'fine', flagged: false, labels: {} },
  ];
  const scores: Record<string, Record<string, number>> = {
    'hate hate': { hate: 0.9, violence: 0.1 },
    'kind words': { hate: 0.6, violence: 0.0 },
    violent: { hate: 0.1, violence: 0.3 },
    fine: { hate: 0.2, violence: 0.1 },
  };
  const report = evaluate(items, (text) => scores[text]!, { hate: 0.5, violence: 0.5 });

  it('reports the binary "any moderation category" view', () => {
    expect(report.n).toBe(4);
    // flagged: a (hate .9), b (hate .6); c's violence .3 is under its threshold.
    expect(report.binary.precision).toBeCloseTo(0.5);
    expect(report.binary.recall).toBeCloseTo(0.5);
    expect(report.binary.f1).toBeCloseTo(0.5);
    // binary scores: a .9, b .6, c .3, d .2 (threshold 0.5 keeps them as they are): ranked + - + - → (1 + 2/3)/2
    expect(report.binary.auprc).toBeCloseTo((1 + 2 / 3) / 2);
  });

  it('reports only annotated categories, over the annotated items', () => {
    expect(Object.keys(report.categories).sort()).toEqual(['hate', 'violence']);
    expect(report.categories.hate).toEqual({ n_pos: 1, precision: 0.5, recall: 1, f1: 2 / 3, auprc: 1 });
    expect(report.categories.violence).toEqual({ n_pos: 1, precision: 0, recall: 0, f1: 0, auprc: 1 });
    expect(report.thresholds).toEqual({ hate: 0.5, violence: 0.5 });
  });
});

describe('parseLabelledJsonl', () => {
  it('parses items, skipping blank lines and keeping extra fields', () => {
    const items = parseLabelledJsonl('{"id":"1","text":"x","flagged":false,"labels":{},"source":"s","family":"f"}\n\n');
    expect(items).toEqual([{ id: '1', text: 'x', flagged: false, labels: {}, source: 's', family: 'f' }]);
  });

  it('names the broken line', () => {
    expect(() => parseLabelledJsonl('{"id":"1","text":"x","flagged":false}\nnot json')).toThrow(/line 2/);
    expect(() => parseLabelledJsonl('{"id":"1","text":"x"}')).toThrow(/line 1: flagged/);
  });
});
