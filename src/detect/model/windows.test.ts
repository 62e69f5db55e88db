import { describe, expect, it } from 'vitest';
import { windowLogit, windowRanges, type WindowCalibration, type WindowRanges, type WindowShape } from './windows.ts';

function ranges(sentenceStarts: number[], tokens: number, shape: WindowShape = { maxTokens: 10, minTokens: 3, sentences: 1 }, lineStarts?: number[]): [number, number][] {
  const out: WindowRanges = { bounds: new Int32Array(2), count: 0 };
  windowRanges(Int32Array.from(sentenceStarts), sentenceStarts.length, tokens, shape, out, lineStarts && Uint8Array.from(lineStarts));
  return Array.from({ length: out.count }, (_, w) => [out.bounds[2 * w]!, out.bounds[2 * w + 1]!]);
}

describe('windowRanges', () => {
  it('gives each sentence a window, joining short sentences to the next until the window has minTokens', () => {
    expect(ranges([0, 5, 6, 12], 20)).toEqual([[0, 5], [5, 12], [12, 20]]);
  });

  it('covers a sentence longer than maxTokens with overlapping windows, the last flush with its end', () => {
    expect(ranges([0], 23)).toEqual([[0, 10], [5, 15], [10, 20], [13, 23]]);
  });

  it('starts windows of two sentences at each sentence and skips one that ends where the one before ends', () => {
    expect(ranges([0, 4, 8, 12], 16, { maxTokens: 10, minTokens: 3, sentences: 2 })).toEqual([[0, 8], [4, 12], [8, 16]]);
  });
});

describe('paragraph windows', () => {
  const shape = { maxTokens: 10, minTokens: 3, sentences: 1, paragraphTokens: 11 };

  it('adds a window for each line of several sentences within paragraphTokens, before its sentence windows', () => {
    // Lines start at sentences 0 and 2: tokens [0, 8) and [8, 20); the second line is too long for a paragraph window.
    expect(ranges([0, 4, 8, 14], 20, shape, [1, 0, 1, 0])).toEqual([[0, 8], [0, 4], [4, 8], [8, 14], [14, 20]]);
  });

  it('adds none for a line of one sentence, or without line starts', () => {
    expect(ranges([0, 4, 8], 12, shape, [1, 1, 1])).toEqual([[0, 4], [4, 8], [8, 12]]);
    expect(ranges([0, 4, 8], 12, shape)).toEqual([[0, 4], [4, 8], [8, 12]]);
  });
});

describe('windowLogit', () => {
  const calibration: WindowCalibration = { maxTokens: 48, minTokens: 8, sentences: 1, offsets: { hate: 1 }, lengthSlope: 0.5, agreement: 0.5 };

  it('subtracts the offset and the length term, and the whole text\'s shortfall below the threshold times the agreement weight', () => {
    expect(windowLogit(calibration, 'hate', 3, 0, 0.5, 4)).toBeCloseTo(3 - 1 - 0.5 * Math.log(4), 10);
    expect(windowLogit(calibration, 'hate', 3, -2, 0.5, 4)).toBeCloseTo(3 - 1 - 0.5 * Math.log(4) - 1, 10);
  });

  it('gives no window path to a category without an offset, or to a text with one window', () => {
    expect(windowLogit(calibration, 'sexual', 3, 0, 0.5, 4)).toBe(-Infinity);
    expect(windowLogit(calibration, 'hate', 3, 0, 0.5, 1)).toBe(-Infinity);
  });
});
