import { setImmediate } from 'node:timers/promises';

/**
 * Lets the event loop poll for I/O (a waiting `/healthz`, other requests) before going on: how long work
 * is cut into slices. One setImmediate is not enough: called from an I/O callback (as a request's handler
 * is), it resumes in the same loop iteration's check phase, before the loop polls again; the second one
 * resumes only after a poll phase, whatever phase the first was called in.
 *
 * @example
 * if (performance.now() - sliceStart >= SLICE_MS) await yieldToEventLoop();
 */
export async function yieldToEventLoop(): Promise<void> {
  await setImmediate();
  await setImmediate();
}
