import { identifiersProvider } from './detectors/identifiers.ts';
import { profanityProvider } from './detectors/profanity.ts';
import { Detection, textModelProvider } from './engine.ts';
import { type TextModel, detectLanguage, loadTextModel } from './model/index.ts';
import { DetectionThread, spawnDetectionWorker } from './thread.ts';

let cached: Detection | undefined;
let thread: DetectionThread | undefined;

/**
 * Warden's built-in detection: the trained text model first (its calibrated thresholds win),
 * then the deterministic detectors, with the model's languages as the supported ones.
 */
export function detectionWithModel(model: TextModel): Detection {
  return new Detection([textModelProvider(model), identifiersProvider(), profanityProvider()], {
    identify: detectLanguage,
    trained: model.languages,
  });
}

/** The built-in detection over the committed model, loaded on first use and shared by the whole process. */
export function localDetection(): Detection {
  cached ??= detectionWithModel(loadTextModel());
  return cached;
}

/**
 * The built-in detection on a worker thread (see DetectionThread), shared by the whole process; the thread
 * starts on first use.
 */
export function localDetectionThread(): DetectionThread {
  thread ??= new DetectionThread(localDetection(), spawnDetectionWorker);
  return thread;
}
