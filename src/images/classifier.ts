import { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import type { DecodedImage } from './decode.ts';
import { CLASSIFIER_INPUT_SIZE, type ClassifierJob, type ClassifierReply, type ClassifierWorkerData, NSFW_CLASSES, type NsfwClass, bundledModelDir } from './model.ts';

export { CLASSIFIER_INPUT_SIZE, NSFW_CLASSES, type NsfwClass };


/** The moderation categories the image model scores; every other category has no image model. */
export const IMAGE_MODEL_CATEGORIES = ['sexual'] as const;
export type ImageModelCategory = (typeof IMAGE_MODEL_CATEGORIES)[number];

/**
 * How much a "sexy" (suggestive, not explicit) probability counts towards `sexual`. At 0.5 an image the model
 * finds purely suggestive scores at most 0.5, under the default `sexual` threshold (0.58): suggestive alone is not
 * flagged, but it adds to explicit probability. See models/IMAGES.md for the calibration.
 */
export const SEXY_WEIGHT = 0.5;


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

/** What a running classifier reports about itself. */
export interface ClassifierStatus {
  model: string;
  loaded: boolean;
  load_ms: number | null;
  backend: string | null;
  /** Why the last load failed (the model is retried after RETRY_LOAD_AFTER_MS), or null. */
  load_error: string | null;
}

/** After a failed load, images are matched against banks only for this long before the model is tried again. */
const RETRY_LOAD_AFTER_MS = 60_000;

/** The model could not be loaded or run: the caller judges the image without it (hash banks only). */
export class ImageModelUnavailable extends Error {
  override name = 'ImageModelUnavailable';
}

interface Running {
  worker: Worker;
  jobs: Map<number, { resolve(reply: ClassifierReply): void }>;
}

/**
 * nsfwjs's MobileNetV2 (model.ts) on a worker thread of its own, so that the ~80 ms of an image's classification
 * (and the seconds of the first load) never hold the event loop that answers other requests. The thread is
 * started lazily, on the first image, and loads the model once: a server that only sees text never starts it nor
 * loads TensorFlow.js. Jobs are answered in order, one at a time.
 *
 * A model that fails to load (missing files, a broken backend) or a thread that dies makes `classify` reject with
 * ImageModelUnavailable; callers then judge images against hash banks only and say so. The load is tried again
 * after RETRY_LOAD_AFTER_MS, not on every image.
 */
export class ImageClassifier {
  private running: Running | null = null;
  private loading: Promise<void> | undefined;
  private nextId = 0;
  private loadMs: number | null = null;
  private backend: string | null = null;
  private loadError: string | null = null;
  private failedAt = -Infinity;

  /** `modelDir`: nsfwjs's model files (model.ts); the ones in the nsfwjs package by default. */
  constructor(private readonly modelDir: string = bundledModelDir()) {}

  status(): ClassifierStatus {
    return { model: IMAGE_MODEL_ID, loaded: this.loadMs !== null, load_ms: this.loadMs, backend: this.backend, load_error: this.loadError };
  }

  /** Loads the model now (the first classification does it anyway). @throws ImageModelUnavailable */
  load(): Promise<void> {
    if (this.loadMs !== null && this.running) return Promise.resolve();
    if (this.loadError && performance.now() - this.failedAt < RETRY_LOAD_AFTER_MS) {
      return Promise.reject(new ImageModelUnavailable(this.loadError));
    }
    this.loading ??= this.send({ id: this.nextId++ })
      .then((reply) => {
        if ('error' in reply) throw new ImageModelUnavailable(reply.error);
        if ('load_ms' in reply) [this.loadMs, this.backend, this.loadError] = [reply.load_ms, reply.backend, null];
      })
      .catch((error: unknown) => {
        this.loadError = error instanceof Error ? error.message : String(error);
        this.failedAt = performance.now();
        void this.close();
        throw error instanceof ImageModelUnavailable ? error : new ImageModelUnavailable(this.loadError);
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  /**
   * Scores one decoded image (its upright first frame), squeezed to the model's 224 × 224 input as nsfwjs does.
   * @throws ImageModelUnavailable when the model cannot be loaded or its thread died
   */
  async classify(image: DecodedImage): Promise<ImageClassification> {
    const [pixels] = await Promise.all([modelInput(image), this.load()]);
    const reply = await this.send({ id: this.nextId++, pixels });
    if ('error' in reply) throw new ImageModelUnavailable(reply.error);
    if (!('probabilities' in reply)) throw new ImageModelUnavailable('the image model answered without probabilities');
    return { model: IMAGE_MODEL_ID, classes: reply.probabilities, scores: imageScores(reply.probabilities) };
  }

  /** Stops the thread (the model with it); a later image starts and loads a new one. */
  async close(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = null;
    this.loadMs = null;
    await running.worker.terminate();
  }

  private send(job: ClassifierJob): Promise<ClassifierReply> {
    const running = this.thread();
    return new Promise((resolve) => {
      running.jobs.set(job.id, { resolve });
      // Referenced while it has work, so that a caller awaiting it is not left behind by an exiting process.
      if (running.jobs.size === 1) running.worker.ref();
      running.worker.postMessage(job, job.pixels ? [job.pixels.buffer as ArrayBuffer] : []);
    });
  }

  private thread(): Running {
    if (this.running) return this.running;
    const fromSources = import.meta.url.endsWith('.ts');
    const worker = new Worker(new URL(fromSources ? './classifier-worker-tsx.mjs' : './classifier-worker.js', import.meta.url), {
      name: 'warden-image-model',
      workerData: { modelDir: this.modelDir } satisfies ClassifierWorkerData,
    });
    const running: Running = { worker, jobs: new Map() };
    worker.unref();
    worker.on('message', (reply: ClassifierReply) => {
      const job = running.jobs.get(reply.id);
      running.jobs.delete(reply.id);
      if (running.jobs.size === 0) worker.unref();
      job?.resolve(reply);
    });
    // Without an 'error' listener, a worker's uncaught exception would be rethrown here and end the process.
    worker.on('error', () => undefined);
    worker.on('exit', (code) => {
      if (this.running === running) [this.running, this.loadMs] = [null, null];
      for (const [id, job] of running.jobs) job.resolve({ id, error: `the image model's thread exited (code ${code})` });
      running.jobs.clear();
    });
    this.running = running;
    return running;
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

const shared = new Map<string, ImageClassifier>();

/**
 * The process's image classifier, or undefined when WARDEN_IMAGE_MODEL is `off`. One instance per process and
 * model directory: the model is loaded once however many servers a process runs. WARDEN_IMAGE_MODEL_DIR replaces
 * the weights in the nsfwjs package with a directory of the same files (model.ts).
 * @throws Error for a WARDEN_IMAGE_MODEL other than `nsfwjs` (the default) or `off`
 */
export function imageClassifierFromEnv(env: NodeJS.ProcessEnv = process.env): ImageClassifier | undefined {
  const setting = env.WARDEN_IMAGE_MODEL ?? 'nsfwjs';
  if (setting === 'off') return undefined;
  if (setting !== 'nsfwjs') throw new Error(`WARDEN_IMAGE_MODEL must be "nsfwjs" or "off", not "${setting}".`);
  const dir = env.WARDEN_IMAGE_MODEL_DIR || bundledModelDir();
  let classifier = shared.get(dir);
  if (!classifier) shared.set(dir, (classifier = new ImageClassifier(dir)));
  return classifier;
}
