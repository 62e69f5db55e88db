import { yieldToEventLoop } from '../common/index.ts';
import { Worker } from 'node:worker_threads';
import type { Detection } from './engine.ts';
import { AnalysisDecoder, type InputAnalysis, type PackedAnalyses } from './packed.ts';
import { sharedArray } from './model/shared-array.ts';

export type { InputAnalysis } from './packed.ts';

/**
 * A job for the detection thread: one input's parts, or a batch of inputs shared with the calling thread,
 * which the two claim one at a time from opposite ends through `claims` (see DetectionThread.analyseMany).
 */
export type DetectionJob = { id: number; parts: string[] } | { id: number; inputs: string[][]; claims: Int32Array };

/** How a job was answered: a batch lists the inputs the thread claimed (ascending); an error is the message of what it threw. */
export type DetectionAnswer = { id: number; claimed?: number[] } | { id: number; error: string };

/**
 * The thread's answer to the jobs of one message (or, for a message that takes long, to its first jobs, then
 * the next): each answered job's analyses are the next ones of `analyses`, in order.
 */
export interface DetectionReply {
  answers: DetectionAnswer[];
  analyses: PackedAnalyses;
}

/** claims[i]: who computes input i of a shared batch. */
export const UNCLAIMED = 0;
export const CLAIMED_HERE = 1;
export const CLAIMED_BY_THREAD = 2;

/** The analysis of one input's parts, computed with `detection` on the thread that calls it. */
export function analyseInput(detection: Detection, parts: string[]): InputAnalysis {
  return { detections: parts.map((text) => detection.detect(text)), language: detection.language(parts.join('\n')) };
}

/** After the thread dies unexpectedly, work stays on the calling thread this long before a new one is started. */
const RESTART_AFTER_MS = 30_000;

interface PendingJob {
  job: DetectionJob;
  /** A single input's analysis, or a batch's analyses by index (the inputs the thread claimed). */
  resolve(value: InputAnalysis | Map<number, InputAnalysis>): void;
  reject(error: Error): void;
}

/** A running worker, the jobs sent to it (or about to be) that it has not answered yet, and how its answers are unpacked. */
interface Running {
  worker: Worker;
  jobs: Map<number, PendingJob>;
  /** Jobs not posted yet: those of one turn of the event loop go in one message. */
  outbox: DetectionJob[];
  flushing: NodeJS.Immediate | null;
  /** The jobs of each message posted and not fully answered yet, oldest first (see flush). */
  unanswered: number[];
  decoder: AnalysisDecoder;
  closing: boolean;
  exited: boolean;
  /** It has answered a job: its model is ready. */
  answering: boolean;
}

/**
 * The detection of one `Detection` on a worker thread, so that a long text (100,000 characters take tens of
 * milliseconds to normalise, score and identify) never holds the event loop that answers other requests, and
 * so that a batch can be detected on two cores (analyseMany). One thread, started on first use and kept; it
 * computes over the calling thread's model where it is given it (localDetectionThread: the model's tables are
 * shared memory), at the cost of a V8 isolate, the code and its own buffers (about 25–35 MB of RSS). Jobs posted in the same turn
 * of the event loop go to the thread in one message, and their answers come back together, packed (packed.ts).
 * Jobs are answered in order. The thread computes exactly what `detection` computes here (the same code over
 * the same model), so a result never depends on where it ran: if the thread dies (out of memory, a crash),
 * its unanswered jobs are computed on the calling thread, and for RESTART_AFTER_MS so is new work, before a
 * new thread is tried.
 */
export class DetectionThread {
  /** Inputs of analyseMany's batches so far, by where they were computed (the thread's share: those it answered). */
  readonly shared = { here: 0, onThread: 0 };
  private running: Running | null = null;
  private nextId = 0;
  private failedAt = -Infinity;

  /**
   * `detection` must be what the worker that `spawn` starts computes with (`localDetectionThread()` pairs
   * the committed model with the worker that computes over it).
   */
  constructor(
    private readonly detection: Detection,
    private readonly spawn: () => Worker,
  ) {}

  /**
   * `analyseInput(detection, parts)`, computed on the thread. Inputs sent in the same turn of the event loop
   * (a `Promise.all` of several, requests read in the same poll) travel in one message each way.
   */
  analyse(parts: string[]): Promise<InputAnalysis> {
    const running = this.thread();
    if (!running) return Promise.resolve(analyseInput(this.detection, parts));
    return new Promise((resolve, reject) => {
      this.enqueue(running, { id: this.nextId++, parts }, { resolve: resolve as PendingJob['resolve'], reject });
      running.flushing ??= setImmediate(() => this.flush(running));
    });
  }

  /**
   * `inputs.map((parts) => analyseInput(detection, parts))`, computed on this thread and the detection thread
   * together, so that a batch takes about half as long when the thread is idle: the inputs go to the thread
   * in one message at once, then this thread analyses them from the first on while the detection thread takes
   * them from the last on, each claiming one at a time, until they meet. Neither waits for the other by more
   * than one input; when the thread is busy (a long text) or slow to wake, this thread simply does more, all of
   * them if need be (and then does not wait for it at all). The results are in the order of `inputs` and
   * equal to computing them all here. This thread's share is computed synchronously, unless `sliceMs` is
   * given: then it lets the event loop poll (as a request's slices do) whenever it has computed that long,
   * while the detection thread goes on taking inputs.
   *
   * It pays where the batch is worth more than the round trip (a message each way, and waking this thread
   * when the answer comes: about 0.1 ms on an idle machine, milliseconds on a loaded one): measured on 2
   * cores, 32 texts of 150–250 characters went about 1.7 times as fast as inline when the second core was
   * free, 8 texts went slower, and with the cores busy with other processes the split gained little or lost
   * (bench/thread.ts, `npm run bench:thread`). The CPU time it costs in all is about that of computing inline.
   *
   * @example
   * // A moderation batch of 32 texts, detected on both cores:
   * const analyses = await localDetectionThread().analyseMany(texts.map((text) => [text]), { sliceMs: 10 });
   * analyses[0].detections[0].scores; // the first text's scores, as analyseInput(localDetection(), [texts[0]]) gives them
   */
  async analyseMany(inputs: readonly string[][], options: { sliceMs?: number } = {}): Promise<InputAnalysis[]> {
    const running = inputs.length > 1 ? this.thread() : null;
    if (!running) return inputs.map((parts) => analyseInput(this.detection, parts));
    const claims = sharedArray(Int32Array, inputs.length);
    const fromThread = new Promise<Map<number, InputAnalysis>>((resolve, reject) => {
      this.enqueue(running, { id: this.nextId++, inputs: [...inputs], claims }, { resolve: resolve as PendingJob['resolve'], reject });
    });
    // Posted now, with whatever else waits, even past MESSAGES_IN_FLIGHT: the thread claims from the batch's end
    // as soon as it reads it, and finds nothing left to do if this thread got there first.
    this.flush(running, true);
    const results: InputAnalysis[] = [];
    const sliceMs = options.sliceMs ?? Infinity;
    let sliceStart = performance.now();
    let next = 0;
    while (next < inputs.length) {
      // Before claiming: the thread may take this input while this one yields.
      if (performance.now() - sliceStart >= sliceMs) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
      if (Atomics.compareExchange(claims, next, UNCLAIMED, CLAIMED_HERE) !== UNCLAIMED) break;
      results.push(analyseInput(this.detection, inputs[next]!));
      next += 1;
    }
    this.shared.here += next;
    if (next === inputs.length) {
      // The thread finds nothing left (or did not start): its answer, when it comes, is not needed.
      fromThread.catch(() => undefined);
      return results;
    }
    const theirs = await fromThread;
    for (let i = next; i < inputs.length; i++) {
      const analysis = theirs.get(i);
      if (analysis) this.shared.onThread += 1;
      else this.shared.here += 1;
      results.push(analysis ?? analyseInput(this.detection, inputs[i]!));
    }
    return results;
  }

  /** Whether the thread is running and has answered a job (its model is loaded): work sent now starts at once. */
  get ready(): boolean {
    return this.running?.answering === true;
  }

  /** Starts the thread now (not on the first long input) and resolves once it is ready, or false if it failed. */
  async warmUp(): Promise<boolean> {
    try {
      await this.analyse(['']);
    } catch {
      return false;
    }
    return this.ready;
  }

  /** Stops the thread; jobs it had not answered are computed here. A later job starts a new one. */
  async close(): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.closing = true;
    this.running = null;
    // A terminating worker does not keep the process alive (Node 20: only its port, unreferenced, is left),
    // and its isolate can take a while to go: without a timer, a script that awaits close() last could end
    // with that promise unsettled (exit code 13).
    const keepAlive = setInterval(() => undefined, 1_000);
    try {
      await running.worker.terminate();
    } finally {
      clearInterval(keepAlive);
    }
  }

  private enqueue(running: Running, job: DetectionJob, pending: Omit<PendingJob, 'job'>): void {
    running.jobs.set(job.id, { job, ...pending });
    running.outbox.push(job);
    // Referenced while it has work, so that a caller awaiting it is not left behind by an exiting process.
    if (running.jobs.size === 1) running.worker.ref();
  }

  /**
   * Posts the jobs waiting in the outbox, in one message, unless MESSAGES_IN_FLIGHT are unanswered: then they
   * go when the thread answers (answered() flushes). A busy thread thus finds its next message waiting when
   * it finishes one (no pause between them), and that message holds everything that came meanwhile: it is
   * woken once per round rather than once per request (each wake-up costs both threads a system call and, on
   * a busy machine, a context switch). `now`: post regardless (a shared batch).
   */
  private flush(running: Running, now = false): void {
    if (running.flushing) clearImmediate(running.flushing);
    running.flushing = null;
    if (running.exited || running.outbox.length === 0 || (!now && running.unanswered.length >= MESSAGES_IN_FLIGHT)) return;
    const jobs = running.outbox;
    running.outbox = [];
    running.unanswered.push(jobs.length);
    running.worker.postMessage(jobs);
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
    const running: Running = { worker, jobs: new Map(), outbox: [], flushing: null, unanswered: [], decoder: new AnalysisDecoder(), closing: false, exited: false, answering: false };
    worker.unref();
    worker.on('message', (reply: DetectionReply) => this.answered(running, reply));
    // Without an 'error' listener, a worker's uncaught exception would be rethrown here and end the process.
    worker.on('error', () => undefined);
    worker.on('exit', () => this.exited(running));
    this.running = running;
    return running;
  }

  private answered(running: Running, reply: DetectionReply): void {
    running.answering = true;
    settle(running.unanswered, reply.answers.length);
    const analyses = running.decoder.decode(reply.analyses);
    let next = 0;
    for (const answer of reply.answers) {
      const pending = running.jobs.get(answer.id);
      const count = 'error' in answer ? 0 : (answer.claimed?.length ?? 1);
      const mine = analyses.slice(next, next + count);
      next += count;
      if (!pending) continue;
      running.jobs.delete(answer.id);
      if ('error' in answer) pending.reject(new Error(answer.error));
      else if ('parts' in pending.job) pending.resolve(mine[0]!);
      else pending.resolve(new Map(answer.claimed!.map((index, i) => [index, mine[i]!])));
    }
    // What came while the thread worked goes now, in one message.
    this.flush(running);
    if (running.jobs.size === 0) running.worker.unref();
  }

  /** The thread is gone: what it had not answered is computed here, in the order it was sent. */
  private exited(running: Running): void {
    running.exited = true;
    if (this.running === running) this.running = null;
    if (!running.closing) this.failedAt = performance.now();
    const jobs = [...running.jobs.values()];
    running.jobs.clear();
    running.outbox = [];
    for (const { job, resolve, reject } of jobs) {
      try {
        if ('parts' in job) resolve(analyseInput(this.detection, job.parts));
        else resolve(this.claimedByThread(job));
      } catch (error) {
        reject(error as Error);
      }
    }
  }

  /**
   * A batch's inputs that the thread claimed, computed here. analyseMany claims the others: those it had not
   * reached when the thread died stay unclaimed for it, and the thread's claims are the inputs after them.
   */
  private claimedByThread(job: { inputs: string[][]; claims: Int32Array }): Map<number, InputAnalysis> {
    const analyses = new Map<number, InputAnalysis>();
    job.inputs.forEach((parts, i) => {
      if (Atomics.load(job.claims, i) === CLAIMED_BY_THREAD) analyses.set(i, analyseInput(this.detection, parts));
    });
    return analyses;
  }
}

/** Messages the thread may have unanswered before new jobs wait: one it works on, one waiting for it. */
const MESSAGES_IN_FLIGHT = 2;

/** Counts `answers` jobs answered against the oldest messages' counts, dropping those fully answered. */
function settle(unanswered: number[], answers: number): void {
  let left = answers;
  while (left > 0 && unanswered.length > 0) {
    const taken = Math.min(left, unanswered[0]!);
    unanswered[0]! -= taken;
    left -= taken;
    if (unanswered[0] === 0) unanswered.shift();
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
