/**
 * The detection thread's entry (see thread.ts): builds its detection over the tables the starting thread
 * passed in workerData (localDetectionTables(): shared memory, nothing read or derived again), or, started
 * without them, loads the committed model itself; then answers each job with what `localDetection()` computes
 * for it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type DetectionTables, detectionFromTables, localDetection } from './local.ts';
import { type DetectionJob, type DetectionReply, analyseInput } from './thread.ts';

const port = parentPort;
if (!port) throw new Error('src/detect/worker.ts runs as a worker thread (DetectionThread starts it).');
const tables = (workerData as { tables?: DetectionTables } | null)?.tables;
const detection = tables ? detectionFromTables(tables) : localDetection();

port.on('message', (job: DetectionJob) => {
  let reply: DetectionReply;
  try {
    const { detections, language } = analyseInput(detection, job.parts);
    reply = { id: job.id, detections, language: language ?? null };
  } catch (error) {
    reply = { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
