import { identifiersProvider } from './detectors/identifiers.ts';
import { profanityProvider } from './detectors/profanity.ts';
import { Detection } from './engine.ts';

let cached: Detection | undefined;

/** Warden's built-in detection, built once per process: the deterministic detectors. */
export function localDetection(): Detection {
  cached ??= new Detection([identifiersProvider(), profanityProvider()]);
  return cached;
}
