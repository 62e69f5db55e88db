import { describe, expect, it } from 'vitest';
import { localDetection } from './local.ts';
import { AnalysisDecoder, AnalysisEncoder, type InputAnalysis } from './packed.ts';
import { analyseInput } from './thread.ts';

describe('packed analyses', () => {
  it('unpack to analyses equal to the ones packed, keys in the same order, across messages', () => {
    const detection = localDetection();
    const inputs = [['Have a nice day.'], ['I will kill you, you worthless fucking idiot.', 'My card is 4111 1111 1111 1111.'], ['Bonjour à tous, comment allez-vous ?'], ['']];
    const analyses = inputs.map((parts) => analyseInput(detection, parts));
    // Shapes other than the detection's: fewer keys, another order, a score that is not a number, no language.
    const odd: InputAnalysis[] = [
      { detections: [{ scores: { sexual: 0.5, hate: -0 }, evidence: [] }], language: undefined },
      { detections: [{ scores: { hate: 1, sexual: Number.NaN }, evidence: [] }, { scores: { hate: undefined }, evidence: [{ detector: 'x', category: 'hate', kind: 'k', score: 1 }] }], language: { code: 'und', confidence: 0, supported: true } },
    ];
    const encoder = new AnalysisEncoder();
    const decoder = new AnalysisDecoder();
    for (const batch of [analyses, odd, [...odd, ...analyses], []]) {
      const decoded = decoder.decode(structuredClone(encoder.encode(batch)));
      expect(decoded).toEqual(batch);
      expect(JSON.stringify(decoded)).toBe(JSON.stringify(batch));
      decoded.forEach((analysis, i) => analysis.detections.forEach((d, j) => expect(Object.keys(d.scores)).toEqual(Object.keys(batch[i]!.detections[j]!.scores))));
    }
    expect(Object.is(decoder.decode(encoder.encode(odd))[0]!.detections[0]!.scores.hate, -0)).toBe(true);
  });
});
