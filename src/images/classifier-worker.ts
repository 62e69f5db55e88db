/**
 * The image model's thread (see classifier.ts): loads TensorFlow.js and nsfwjs's MobileNetV2 on its first message
 * and answers each job with the model's class probabilities for one 224 × 224 RGB image.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type ClassifierJob, type ClassifierReply, type ClassifierWorkerData, loadModel } from './model.ts';

const port = parentPort;
if (!port) throw new Error('src/images/classifier-worker.ts runs as a worker thread (ImageClassifier starts it).');
const { modelDir } = workerData as ClassifierWorkerData;
let loading: ReturnType<typeof loadModel> | undefined;

port.on('message', async (job: ClassifierJob) => {
  let reply: ClassifierReply;
  try {
    loading ??= loadModel(modelDir);
    const model = await loading;
    reply = job.pixels ? { id: job.id, probabilities: await model.classify(job.pixels) } : { id: job.id, load_ms: model.loadMs, backend: model.backend };
  } catch (error) {
    reply = { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
