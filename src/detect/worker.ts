/**
 * The detection thread's entry (see thread.ts): builds its detection over the tables the starting thread
 * passed in workerData (localDetectionTables(): shared memory, nothing read or derived again), or, started
 * without them, loads the committed model itself; then answers each message's jobs with what
 * `localDetection()` computes for them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type DetectionTables, detectionFromTables, localDetection } from './local.ts';
import { AnalysisEncoder, type InputAnalysis } from './packed.ts';
import { CLAIMED_BY_THREAD, type DetectionAnswer, type DetectionJob, type DetectionReply, UNCLAIMED, analyseInput } from './thread.ts';

/**
 * A message's jobs are answered in parts of about this long, so that its first jobs' callers need not wait for
 * the last: the event loop finishes and writes their answers while this thread computes the rest (with 2 ms,
 * the two threads took turns idling; 0.25 ms gave 8–14% more one-text requests/s in an A/B, replying after
 * every job somewhat less).
 */
const REPLY_AFTER_MS = 0.25;

const port = parentPort;
if (!port) throw new Error('src/detect/worker.ts runs as a worker thread (DetectionThread starts it).');
const tables = (workerData as { tables?: DetectionTables } | null)?.tables;
const detection = tables ? detectionFromTables(tables) : localDetection();
const encoder = new AnalysisEncoder();

/** Computes one job: its answer, and its analyses (appended to `analyses`). */
function run(job: DetectionJob, analyses: InputAnalysis[]): DetectionAnswer {
  const mark = analyses.length;
  try {
    if ('parts' in job) {
      analyses.push(analyseInput(detection, job.parts));
      return { id: job.id };
    }
    // A shared batch: from the last input down, while the calling thread has not claimed it (it works upwards).
    const claimed: number[] = [];
    for (let i = job.inputs.length - 1; i >= 0 && Atomics.compareExchange(job.claims, i, UNCLAIMED, CLAIMED_BY_THREAD) === UNCLAIMED; i--) {
      claimed.push(i);
      analyses.push(analyseInput(detection, job.inputs[i]!));
    }
    // Answered in ascending order of the inputs.
    claimed.reverse();
    const mine = analyses.splice(mark).reverse();
    analyses.push(...mine);
    return { id: job.id, claimed };
  } catch (error) {
    analyses.length = mark;
    return { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
}

port.on('message', (jobs: DetectionJob[]) => {
  let answers: DetectionAnswer[] = [];
  let analyses: InputAnalysis[] = [];
  let since = performance.now();
  for (const job of jobs) {
    answers.push(run(job, analyses));
    // A shared batch is answered at once: the calling thread, done with its share, is waiting for it.
    if (!('claims' in job) && performance.now() - since < REPLY_AFTER_MS) continue;
    port.postMessage({ answers, analyses: encoder.encode(analyses) } satisfies DetectionReply);
    answers = [];
    analyses = [];
    since = performance.now();
  }
  if (answers.length > 0) port.postMessage({ answers, analyses: encoder.encode(analyses) } satisfies DetectionReply);
});
