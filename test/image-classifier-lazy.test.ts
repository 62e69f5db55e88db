import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { imageClassifierFromEnv } from '../src/images/index.ts';
import { describeEachBackend } from './support/backends.ts';
import { dataUrl, syntheticImage } from './support/images.ts';
import { type TestServer, startTestServer } from './support/server.ts';

describeEachBackend('the image model loads lazily, once per process', (backend) => {
  let server: TestServer;
  let client: OpenAI;
  beforeAll(async () => {
    server = await startTestServer(backend);
    client = new OpenAI({ apiKey: server.adminKey, baseURL: `${server.baseUrl}/v1`, maxRetries: 0 });
  });
  afterAll(async () => server?.close());

  it('a text-only moderation never loads TensorFlow.js; the first image does, and later ones reuse it', async () => {
    const classifier = imageClassifierFromEnv()!;
    if (!classifier.status().loaded) {
      await client.moderations.create({ input: 'hello there, how are you?' });
      expect(classifier.status()).toMatchObject({ loaded: false, load_ms: null });
    }
    const image = { type: 'image_url' as const, image_url: { url: dataUrl(await syntheticImage({ seed: 3 })) } };
    await client.moderations.create({ input: [image] });
    const status = classifier.status();
    expect(status).toMatchObject({ loaded: true, backend: 'wasm' });
    expect(status.load_ms).toBeGreaterThan(0);
    await client.moderations.create({ input: [image] });
    expect(classifier.status().load_ms).toBe(status.load_ms);
  });
});
