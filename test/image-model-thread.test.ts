import { monitorEventLoopDelay } from 'node:perf_hooks';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ImageClassifier, hashImage, imageClassifierFromEnv } from '../src/images/index.ts';
import { describeEachBackend } from './support/backends.ts';
import { dataUrl, syntheticImage } from './support/images.ts';
import type { WardenResult } from './support/moderation.ts';
import { type TestServer, startTestServer } from './support/server.ts';

const imagePart = (url: string) => ({ type: 'image_url' as const, image_url: { url } });

describeEachBackend('the image model runs on a thread of its own', (backend) => {
  let server: TestServer;
  let client: OpenAI;
  // A classifier of this file's own: its first image starts the thread and loads the model, seconds of work.
  const classifier = new ImageClassifier();
  beforeAll(async () => {
    server = await startTestServer(backend, {}, { imageClassifier: classifier });
    client = new OpenAI({ apiKey: server.adminKey, baseURL: `${server.baseUrl}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await classifier.close();
    await server?.close();
  });

  it('/healthz answers while an image is loaded into the model and classified', async () => {
    const image = imagePart(dataUrl(await syntheticImage({ width: 1000, height: 1000, seed: 5 })));
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    let done = false;
    const moderations = Promise.all([1, 2, 3].map(() => client.moderations.create({ input: [image] }))).finally(() => (done = true));
    const answeredMeanwhile: number[] = [];
    while (!done) {
      const response = await server.request('/healthz', { key: null });
      expect(response.status).toBe(200);
      await response.text();
      if (!done) answeredMeanwhile.push(response.status);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    delay.disable();
    const results = (await moderations).map((r) => r.results[0] as unknown as WardenResult);
    expect(results.every((r) => r.warden.images![0]!.classification)).toBe(true);
    expect(classifier.status()).toMatchObject({ loaded: true, backend: 'wasm', load_error: null });
    // Loading (0.8–4 s) and three classifications (~80 ms each) ran meanwhile: the loop never stopped for them.
    expect(answeredMeanwhile.length).toBeGreaterThanOrEqual(5);
    console.info(`/healthz answered ${answeredMeanwhile.length} times during the model's load and 3 classifications; longest event-loop delay ${Math.round(delay.max / 1e6)} ms (the server's first request included)`);
  });
});

describeEachBackend('an image model that fails to load: images are judged on hash banks only, with a warning', (backend) => {
  let server: TestServer;
  let client: OpenAI;
  const classifier = imageClassifierFromEnv({ ...process.env, WARDEN_IMAGE_MODEL_DIR: '/nonexistent/warden-image-model' })!;
  beforeAll(async () => {
    server = await startTestServer(backend, {}, { imageClassifier: classifier });
    client = new OpenAI({ apiKey: server.adminKey, baseURL: `${server.baseUrl}/v1`, maxRetries: 0 });
  });
  afterAll(async () => server?.close());

  it('answers 200, says the model is unavailable in the warden extension, and a banked image still matches', async () => {
    const photo = await syntheticImage({ width: 640, height: 480, seed: 8 });
    const { hashes } = await hashImage(photo);
    const created = (await (await server.request('/v1/hash-banks', { method: 'POST', json: { name: 'Known adult images', clause_id: 'api.4.1' } })).json()) as { id: string };
    const imported = await server.request(`/v1/hash-banks/${created.id}/import`, { method: 'POST', body: `${hashes.pdq}\n`, headers: { 'content-type': 'text/plain' } });
    expect(imported.status).toBe(200);
    for (const attempt of [1, 2]) {
      const result = (await client.moderations.create({ input: [{ type: 'text', text: 'look' }, imagePart(dataUrl(photo))] })).results[0] as unknown as WardenResult;
      expect(result.flagged, `attempt ${attempt}`).toBe(true);
      expect(result.warden.violations.find((v) => v.clause_id === 'api.4.1')).toMatchObject({ category: 'sexual', evidence: [{ detector: 'hash-bank', kind: 'pdq_match', match: { distance: 0 } }] });
      expect(result.warden.images![0]).not.toHaveProperty('classification');
      const warning = result.warden.warnings.find((w) => w.code === 'image_model_unavailable')!;
      expect(warning.message).toMatch(/could not be run \(no model.min.js in the image model's directory \/nonexistent\/warden-image-model\).*hash banks only/);
      expect(warning.categories).toEqual(['sexual']);
    }
    expect(classifier.status()).toMatchObject({ loaded: false });
    expect(classifier.status().load_error).toMatch(/nonexistent/);
  });
});
