import { Worker } from 'node:worker_threads';
import type { Detection, DetectionResult, LanguageVerdict } from './engine.ts';

/** One input's parts, for the detection thread. */
export interface DetectionJob {
  id: number;
  parts: string[];
}

/** What `Detection` says about one input: each part's detection, and the language of the parts joined by newlines. */
export interface InputAnalysis {
  detections: DetectionResult[];
  language: LanguageVerdict | undefined;
}

/** The thread's answer to job `id`: its analysis (structured-cloned; no language is null), or the message of what it threw. */
export type DetectionReply = { id: number; detections: DetectionResult[]; language: LanguageVerdict | null } | { id: number; error: string };

/** The analysis of one input's parts, computed with `detection` on the thread that calls it. */
export function analyseInput(detection: Detection, parts: string[]): InputAnalysis {
  return { detections: parts.map((text) => detection.detect(text)), language: detection.language(parts.join('\n')) };
}

/** After the thread dies unexpectedly, work stays on the calling thread this long before a new one is started. */
const RESTART_AFTER_MS = 30_000;

interface PendingJob {
  job: DetectionJob;
  resolve(value: InputAnalysis): void;
  reject(error: Error): void;
}

/** A running worker and the jobs sent to it that it has not answered yet. */
interface Running {
  worker: Worker;
  jobs: Map<number, PendingJob>;
  closing: boolean;
}

/**
 * The detection of one `Detection` on a worker thread, so that a long text (100,000 characters take tens of
 * milliseconds to normalise, score and identify) never holds the event loop that answers other requests.
 * One thread, started on first use and kept: it holds its own copy of the model (about 80 MB of RSS), which is why
 * callers send only long texts here. Jobs are answered in order. The thread computes exactly what
 * `detection` computes here (the same code over the same model), so a result never depends on where it ran:
 * if the thread dies (out of memory, a crash), its unanswered jobs are computed on the calling thread, and
 * for RESTART_AFTER_MS so is new work, before a new thread is tried.
 */
export class DetectionThread {
  private running: Running | null = null;
  private nextId = 0;
  private failedAt = -Infinity;

  /**
   * `detection` must be what the worker that `spawn` starts computes with (`localDetectionThread()` pairs
   * the committed model with the worker that loads it).
   */
  constructor(
    private readonly detection: Detection,
    private readonly spawn: () => Worker,
  ) {}

  /**
   * `analyseInput(detection, parts)`, computed on the thread: one message each way per input (the texts are
   * copied to the thread once).
   */
  analyse(parts: string[]): Promise<InputAnalysis> {
    return this.run({ id: this.nextId++, parts });
  }

  /** Stops the thread; jobs it had not answered are computed here. A later job starts a new one. */
  async close(): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.closing = true;
    this.running = null;
    await running.worker.terminate();
  }

  private run(job: DetectionJob): Promise<InputAnalysis> {
    const running = this.thread();
    if (!running) return Promise.resolve(analyseInput(this.detection, job.parts));
    return new Promise((resolve, reject) => {
      running.jobs.set(job.id, { job, resolve, reject });
      // Referenced while it has work, so that a caller awaiting it is not left behind by an exiting process.
      if (running.jobs.size === 1) running.worker.ref();
      running.worker.postMessage(job);
    });
  }

  /** The running thread, started if needed; null while the last one's failure is recent (work stays here). */
  private thread(): Running | null {
    if (this.running) return this.running;
    if (performance.now() - this.failedAt < RESTART_AFTER_MS) return null;
    let worker: Worker;
    try {
      worker = this.spawn();
    } catch {
      this.failedAt = performance.now();
      return null;
    }
    const running: Running = { worker, jobs: new Map(), closing: false };
    worker.unref();
    worker.on('message', (reply: DetectionReply) => this.answered(running, reply));
    // Without an 'error' listener, a worker's uncaught exception would be rethrown here and end the process.
    worker.on('error', () => undefined);
    worker.on('exit', () => this.exited(running));
    this.running = running;
    return running;
  }

  private answered(running: Running, reply: DetectionReply): void {
    const pending = running.jobs.get(reply.id);
    if (!pending) return;
    running.jobs.delete(reply.id);
    if (running.jobs.size === 0) running.worker.unref();
    if ('error' in reply) pending.reject(new Error(reply.error));
    else pending.resolve({ detections: reply.detections, language: reply.language ?? undefined });
  }

  /** The thread is gone: what it had not answered is computed here, in the order it was sent. */
  private exited(running: Running): void {
    if (this.running === running) this.running = null;
    if (!running.closing) this.failedAt = performance.now();
    const jobs = [...running.jobs.values()];
    running.jobs.clear();
    for (const { job, resolve, reject } of jobs) {
      try {
        resolve(analyseInput(this.detection, job.parts));
      } catch (error) {
        reject(error as Error);
      }
    }
  }
}

/**
 * A worker running src/detect/worker.ts: the compiled file beside this one, or, when this module runs from the
 * TypeScript sources (a checkout, the tests), the sources through tsx (worker-tsx.mjs). With `tables` (this
 * thread's localDetectionTables()), the worker computes over them; without, it loads the model itself.
 */
export function spawnDetectionWorker(tables?: unknown): Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  return new Worker(new URL(fromSources ? './worker-tsx.mjs' : './worker.js', import.meta.url), { name: 'warden-detection', workerData: { tables } });
}
