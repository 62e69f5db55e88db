/**
 * nsfwjs's MobileNetV2 on TensorFlow.js's WebAssembly backend, as the image model's thread runs it. Both come from
 * npm and the weights ship inside the nsfwjs package (`dist/models/mobilenet_v2`), so nothing is downloaded; a
 * directory holding the same two files (`model.min.js`, `group1-shard1of1.min.js`) can replace it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** nsfwjs's five classes, in its output order. */
export const NSFW_CLASSES = ['drawing', 'hentai', 'neutral', 'porn', 'sexy'] as const;
export type NsfwClass = (typeof NSFW_CLASSES)[number];

/** The model's input side (MobileNetV2 as nsfwjs ships it). */
export const CLASSIFIER_INPUT_SIZE = 224;

const require = createRequire(import.meta.url);

/** The weights nsfwjs ships: `node_modules/nsfwjs/dist/models/mobilenet_v2`. */
export function bundledModelDir(): string {
  return join(dirname(require.resolve('nsfwjs/models/mobilenet_v2')), '..', '..', 'models', 'mobilenet_v2');
}

/** What the thread is started with. */
export interface ClassifierWorkerData {
  modelDir: string;
}

/** A job for the thread: load the model (no pixels) or classify 224 × 224 × 3 RGB values. */
export interface ClassifierJob {
  id: number;
  pixels?: Int32Array;
}

export type ClassifierReply =
  | { id: number; load_ms: number; backend: string }
  | { id: number; probabilities: Record<NsfwClass, number> }
  | { id: number; error: string };

export interface LoadedModel {
  loadMs: number;
  backend: string;
  classify(pixels: Int32Array): Promise<Record<NsfwClass, number>>;
}

/** Loads the model from `modelDir` (the files are read as CommonJS modules, as nsfwjs's own loaders do). */
export async function loadModel(modelDir: string): Promise<LoadedModel> {
  const started = performance.now();
  const readBundle = (file: string) => async () => ({ default: require(join(modelDir, file)) as unknown });
  const definition = { name: 'MobileNetV2', numOfWeightBundles: 1, modelJson: readBundle('model.min.js'), weightBundles: [readBundle('group1-shard1of1.min.js')] };
  // Checked first: nsfwjs words a missing file as a browser bundling problem.
  for (const file of ['model.min.js', 'group1-shard1of1.min.js']) {
    if (!existsSync(join(modelDir, file))) throw new Error(`no ${file} in the image model's directory ${modelDir}`);
  }
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
  const { load } = await import('nsfwjs/core');
  await tf.setBackend('wasm');
  await tf.ready();
  const model = await quietly(() => load('MobileNetV2', { size: CLASSIFIER_INPUT_SIZE, modelDefinitions: [definition as never] }));
  return {
    loadMs: Math.round(performance.now() - started),
    backend: tf.getBackend(),
    async classify(pixels) {
      const input = tf.tensor3d(pixels, [CLASSIFIER_INPUT_SIZE, CLASSIFIER_INPUT_SIZE, 3], 'int32');
      try {
        const predictions = await model.classify(input, NSFW_CLASSES.length);
        const classes = Object.fromEntries(NSFW_CLASSES.map((c) => [c, 0])) as Record<NsfwClass, number>;
        for (const { className, probability } of predictions) classes[className.toLowerCase() as NsfwClass] = Math.round(probability * 1e6) / 1e6;
        return classes;
      } finally {
        input.dispose();
      }
    },
  };
}

/** nsfwjs announces its model on console.info; the server logs through pino only. */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const info = console.info;
  console.info = () => undefined;
  try {
    return await work();
  } finally {
    console.info = info;
  }
}
