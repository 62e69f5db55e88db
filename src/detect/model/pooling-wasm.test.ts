import { describe, expect, it } from 'vitest';
import { readArtifact } from './artifact.ts';
import { DEFAULT_MODEL_DIR } from './index.ts';
import { LinearTextModel } from './model.ts';
import { SimdPooling } from './pooling-wasm.ts';

/** Deterministic pseudo-random int16 components and weights. */
function pseudoRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

describe('SIMD pooling kernels', () => {
  const dim = 100;
  const heads = 26;
  const count = 50;
  const random = pseudoRandom(7);
  const weights = Array.from({ length: heads * dim }, () => random() - 0.5);
  const simd = SimdPooling.create(count, dim, heads, (k, d) => weights[k * dim + d]!);

  it('build where WebAssembly SIMD is available (Node 20 has it)', () => {
    expect(simd).not.toBeNull();
  });

  it('max-pool and take the four running sums bit for bit as the JavaScript does', () => {
    const kernels = simd!;
    for (let r = 0; r < count; r++) for (let d = 0; d < dim; d++) kernels.vectors[r * kernels.stride + d] = Math.round(random() * 32766) - 16383;
    for (const rows of [[3], [0, 49, 7, 7, 12], Array.from({ length: count }, (_, r) => r)]) {
      kernels.rows.set(rows);
      kernels.pool(rows.length);
      const max = Array.from({ length: dim }, (_, d) => Math.max(...rows.map((r) => kernels.vectors[r * kernels.stride + d]!)));
      expect(Array.from(kernels.max.subarray(0, dim))).toEqual(max);
      kernels.dot();
      for (let k = 0; k < heads; k++) {
        const sums = [0, 0, 0, 0];
        for (let d = 0; d < dim; d++) sums[d % 4]! += max[d]! * weights[k * dim + d]!;
        expect(Array.from(kernels.sums.subarray(4 * k, 4 * k + 4))).toEqual(sums);
      }
    }
  });

  it('give the committed model the same scores and explanations as its JavaScript path', () => {
    const weightsOf = readArtifact(DEFAULT_MODEL_DIR);
    const withSimd = new LinearTextModel(weightsOf);
    LinearTextModel.simd = false;
    const withoutSimd = new LinearTextModel(weightsOf);
    LinearTextModel.simd = true;
    const texts = [
      'how do I kill the process that holds port 8080',
      'I will find you and hurt you, you worthless idiot',
      'Write a poem about the sea at night.\nThen explain how tides work, step by step, for a child.',
      '',
      'zzqx vvbt', // no word vectors
      'you are all disgusting animals and should be wiped out '.repeat(30),
      // Tokens over 40 characters are summed each time (not cached), more than a chunk of them.
      Array.from({ length: 600 }, (_, i) => `word${i} ${'x'.repeat(41 + (i % 7))}${i} kill`).join(' '),
    ];
    for (const text of texts) {
      expect(withSimd.score(text)).toEqual(withoutSimd.score(text));
      const categories = withSimd.categories;
      expect(withSimd.explainLast(categories)).toEqual((withoutSimd.score(text), withoutSimd.explainLast(categories)));
    }
  });
});
