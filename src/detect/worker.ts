/**
 * The detection thread's entry (see thread.ts): loads the committed model once and answers each job with what
 * `localDetection()` computes for it.
 */
import { parentPort } from 'node:worker_threads';
import { localDetection } from './local.ts';
import { type DetectionJob, type DetectionReply, analyseInput } from './thread.ts';

const port = parentPort;
if (!port) throw new Error('src/detect/worker.ts runs as a worker thread (DetectionThread starts it).');
const detection = localDetection();

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
