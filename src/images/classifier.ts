import sharp from 'sharp';
import type { DecodedImage } from './decode.ts';

/** nsfwjs's five classes, in its output order. */
export const NSFW_CLASSES = ['drawing', 'hentai', 'neutral', 'porn', 'sexy'] as const;
export type NsfwClass = (typeof NSFW_CLASSES)[number];

/** The moderation categories the image model scores; every other category has no image model. */
export const IMAGE_MODEL_CATEGORIES = ['sexual'] as const;
export type ImageModelCategory = (typeof IMAGE_MODEL_CATEGORIES)[number];

/**
 * How much a "sexy" (suggestive, not explicit) probability counts towards `sexual`. At 0.5 an image the model
 * finds purely suggestive scores at most 0.5, under the default `sexual` threshold (0.58): suggestive alone is not
 * flagged, but it adds to explicit probability. See models/IMAGES.md for the calibration.
 */
export const SEXY_WEIGHT = 0.5;

/** The model's input side (MobileNetV2 as nsfwjs ships it). */
export const CLASSIFIER_INPUT_SIZE = 224;

/** Identifies the weights in results and the model card. */
export const IMAGE_MODEL_ID = 'nsfwjs-4.4.0/mobilenet_v2';

/** What the image model said about one image. */
export interface ImageClassification {
  model: string;
  /** nsfwjs's probabilities (they sum to 1). */
  classes: Record<NsfwClass, number>;
  /** The moderation categories it covers, mapped from the classes. */
  scores: Record<ImageModelCategory, number>;
}

/** `sexual` = P(porn) + P(hentai) + {@link SEXY_WEIGHT} × P(sexy), at most 1. */
export function imageScores(classes: Record<NsfwClass, number>): Record<ImageModelCategory, number> {
  return { sexual: Math.min(1, classes.porn + classes.hentai + SEXY_WEIGHT * classes.sexy) };
}

/** What a running classifier reports about itself (load time and the process's memory after loading). */
export interface ClassifierStatus {
  model: string;
  loaded: boolean;
  load_ms: number | null;
  backend: string | null;
}

interface LoadedModel {
  tf: typeof import('@tensorflow/tfjs');
  model: import('nsfwjs/core').NSFWJS;
}

/**
 * nsfwjs's MobileNetV2 on TensorFlow.js's WebAssembly backend (both from npm; the weights ship inside the nsfwjs
 * package, so nothing is downloaded). The model is loaded lazily, once per process, on the first image: a server
 * that only sees text never loads TensorFlow.js at all.
 *
 * Inference runs on the calling thread (about 80 ms per image on one core): callers classify one image at a time.
 */
export class ImageClassifier {
  private loading: Promise<LoadedModel> | undefined;
  private loadMs: number | null = null;
  private backend: string | null = null;

  status(): ClassifierStatus {
    return { model: IMAGE_MODEL_ID, loaded: this.loadMs !== null, load_ms: this.loadMs, backend: this.backend };
  }

  /** Loads the model now (the first classification does it anyway); a failed load is retried by the next call. */
  load(): Promise<LoadedModel> {
    this.loading ??= this.loadOnce().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  /** Scores one decoded image (its upright first frame), squeezed to the model's 224 × 224 input as nsfwjs does. */
  async classify(image: DecodedImage): Promise<ImageClassification> {
    const [{ tf, model }, pixels] = await Promise.all([this.load(), modelInput(image)]);
    const input = tf.tensor3d(pixels, [CLASSIFIER_INPUT_SIZE, CLASSIFIER_INPUT_SIZE, 3], 'int32');
    try {
      const predictions = await model.classify(input, NSFW_CLASSES.length);
      const classes = Object.fromEntries(NSFW_CLASSES.map((c) => [c, 0])) as Record<NsfwClass, number>;
      for (const { className, probability } of predictions) classes[className.toLowerCase() as NsfwClass] = round(probability);
      return { model: IMAGE_MODEL_ID, classes, scores: imageScores(classes) };
    } finally {
      input.dispose();
    }
  }

  private async loadOnce(): Promise<LoadedModel> {
    const started = performance.now();
    // Imported here, not at the top: TensorFlow.js costs ~100 MB of memory that text-only servers never pay.
    const tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-wasm');
    const { load } = await import('nsfwjs/core');
    const { MobileNetV2Model } = await import('nsfwjs/models/mobilenet_v2');
    await tf.setBackend('wasm');
    await tf.ready();
    const model = await quietly(() => load('MobileNetV2', { size: CLASSIFIER_INPUT_SIZE, modelDefinitions: [MobileNetV2Model] }));
    this.loadMs = Math.round(performance.now() - started);
    this.backend = tf.getBackend();
    return { tf, model };
  }
}

/** The image as the model's input: 224 × 224 RGB, stretched (nsfwjs resizes without keeping the aspect ratio). */
async function modelInput(image: DecodedImage): Promise<Int32Array> {
  const rgb = await sharp(image.rgb, { raw: { width: image.rgbWidth, height: image.rgbHeight, channels: 3 } })
    .resize(CLASSIFIER_INPUT_SIZE, CLASSIFIER_INPUT_SIZE, { fit: 'fill' })
    .raw()
    .toBuffer();
  return Int32Array.from(rgb);
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

function round(probability: number): number {
  return Math.round(probability * 1e6) / 1e6;
}

let shared: ImageClassifier | undefined;

/**
 * The process's image classifier, or undefined when WARDEN_IMAGE_MODEL is `off`. One instance per process: the
 * model is loaded once however many servers a process runs (TensorFlow.js's backend is process-global anyway).
 * @throws Error for a WARDEN_IMAGE_MODEL other than `nsfwjs` (the default) or `off`
 */
export function imageClassifierFromEnv(env: NodeJS.ProcessEnv = process.env): ImageClassifier | undefined {
  const setting = env.WARDEN_IMAGE_MODEL ?? 'nsfwjs';
  if (setting === 'off') return undefined;
  if (setting !== 'nsfwjs') throw new Error(`WARDEN_IMAGE_MODEL must be "nsfwjs" or "off", not "${setting}".`);
  shared ??= new ImageClassifier();
  return shared;
}
