import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { hashImage } from '../src/images/index.ts';
import { describeEachBackend } from './support/backends.ts';
import { dataUrl, pngBomb, syntheticImage } from './support/images.ts';
import type { WardenResult } from './support/moderation.ts';
import { type TestServer, expectApiError, startTestServer } from './support/server.ts';


const imagePart = (url: string) => ({ type: 'image_url' as const, image_url: { url } });

/** A loopback image host: /photo.jpg, /redirect (to /photo.jpg), /text (not an image). */
async function startImageHost(photo: Buffer): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((request, response) => {
    hits++;
    if (request.url === '/photo.jpg') response.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo);
    else if (request.url === '/redirect') response.writeHead(302, { location: '/photo.jpg' }).end();
    else response.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describeEachBackend('image parts on POST /v1/moderations (official openai SDK)', (backend) => {
  let server: TestServer;
  let client: OpenAI;
  let photo: Buffer;
  beforeAll(async () => {
    server = await startTestServer(backend);
    client = new OpenAI({ apiKey: await server.createKey('client'), baseURL: `${server.baseUrl}/v1`, maxRetries: 0 });
    photo = await syntheticImage({ width: 640, height: 480, seed: 21 });
  });
  afterAll(async () => server?.close());
  afterEach(async () => {
    for (const bank of (await (await server.request('/v1/hash-banks')).json() as { data: { id: string }[] }).data) {
      await server.request(`/v1/hash-banks/${bank.id}`, { method: 'DELETE' });
    }
  });

  const moderate = async (input: OpenAI.ModerationCreateParams['input'], user?: string) =>
    (await client.moderations.create({ model: 'omni-moderation-latest', input, ...(user && { user }) } as OpenAI.ModerationCreateParams)).results[0] as unknown as WardenResult;
  const bank = async (body: object, hashes: string) => {
    const created = (await (await server.request('/v1/hash-banks', { method: 'POST', json: body })).json()) as { id: string; name: string };
    const imported = await server.request(`/v1/hash-banks/${created.id}/import`, { method: 'POST', body: hashes, headers: { 'content-type': 'text/plain' } });
    expect(imported.status, await imported.clone().text()).toBe(200);
    return created;
  };

  it('takes an image part as a data URL, alone and mixed with text, and reports its hashes', async () => {
    const alone = await moderate([imagePart(dataUrl(photo))]);
    const { hashes } = await hashImage(photo);
    expect(alone.flagged).toBe(false);
    expect(alone.warden.images).toMatchObject([{ input: 'input[0]', format: 'jpeg', width: 640, height: 480, frames: 1, hashes: { pdq: hashes.pdq, quality: hashes.quality, md5: hashes.md5, sha256: hashes.sha256 }, bank_matches: 0 }]);
    // The image model (nsfwjs) judged the image for `sexual` only, and found it benign.
    const classification = alone.warden.images![0]!.classification!;
    expect(classification.model).toBe('nsfwjs-4.4.0/mobilenet_v2');
    expect(Object.values(classification.classes).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
    expect(classification.classes.neutral).toBeGreaterThan(0.5);
    expect(alone.category_scores.sexual).toBe(classification.scores.sexual);
    expect(alone.category_scores.sexual).toBeLessThan(0.2);
    expect(alone.category_applied_input_types.sexual).toEqual(['text', 'image']);
    expect(alone.category_applied_input_types.violence).toEqual(['text']);
    expect(alone.warden.evidence).toContainEqual(expect.objectContaining({ detector: 'image-model', category: 'sexual', input: 'input[0]', kind: 'nsfwjs:neutral' }));
    const unscored = alone.warden.warnings.find((w) => w.code === 'image_categories_unscored')!;
    expect(unscored.categories).toContain('sexual/minors');
    expect(unscored.categories).toContain('violence/graphic');
    expect(unscored.categories).toContain('self-harm');
    expect(unscored.categories).not.toContain('sexual');

    const mixed = await moderate([{ type: 'text', text: 'I will find you and kill you, you worthless piece of trash' }, imagePart(dataUrl(await sharp(photo).png().toBuffer(), 'image/png'))]);
    expect(mixed.flagged).toBe(true);
    expect(mixed.categories.violence || mixed.categories.harassment).toBe(true);
    expect(mixed.warden.images).toMatchObject([{ input: 'input[1]', format: 'png' }]);
    expect(mixed.category_applied_input_types.violence).toEqual(['text']);
  });

  it('a resized, re-encoded copy of a banked image is a violation citing the bank clause, with hash, distance and bank', async () => {
    const { hashes } = await hashImage(photo);
    const adult = await bank({ name: 'Known adult images', clause_id: 'api.4.1' }, `${hashes.pdq},${hashes.quality}\n`);
    const copy = await sharp(photo).resize(320).webp({ quality: 50 }).toBuffer();
    const result = await moderate([{ type: 'text', text: 'look at this' }, imagePart(dataUrl(copy, 'image/webp'))]);
    expect(result.flagged).toBe(true);
    expect(result.categories.sexual).toBe(true);
    expect(result.category_scores.sexual).toBe(1);
    expect(result.category_applied_input_types.sexual).toEqual(['text', 'image']);
    const violation = result.warden.violations.find((v) => v.clause_id === 'api.4.1')!;
    expect(violation).toMatchObject({ category: 'sexual', evidence: [{ detector: 'hash-bank', kind: 'pdq_match', input: 'input[1]', match: { bank_id: adult.id, bank_name: 'Known adult images', hash: hashes.pdq, threshold: 31 } }] });
    expect(violation.evidence[0]!.match!.distance).toBeGreaterThan(0);
    expect(violation.evidence[0]!.match!.distance).toBeLessThanOrEqual(31);
  });

  it("the image model's sexual score is judged against the tenant's sexual threshold and cites the sexual clause", async () => {
    const alone = await moderate([imagePart(dataUrl(photo))]);
    const score = alone.category_scores.sexual!;
    expect(alone.categories.sexual).toBe(false);
    // No explicit image is available to a test: lowering the tenant's threshold under the benign image's score
    // drives the same path an explicit image takes.
    const lowered = await server.request('/v1/moderation/thresholds', { method: 'PUT', json: { thresholds: { sexual: score / 2 } } });
    expect(lowered.status, await lowered.clone().text()).toBe(200);
    try {
      const result = await moderate([{ type: 'text', text: 'a picture of my garden' }, imagePart(dataUrl(photo))]);
      expect(result.flagged).toBe(true);
      expect(result.categories.sexual).toBe(true);
      expect(result.category_scores.sexual).toBe(score);
      const violation = result.warden.violations.find((v) => v.clause_id === 'api.4.1')!;
      expect(violation).toMatchObject({ category: 'sexual', evidence: [{ detector: 'image-model', kind: 'nsfwjs:neutral', input: 'input[1]' }] });
    } finally {
      await server.request('/v1/moderation/thresholds', { method: 'PUT', json: { thresholds: {} } });
    }
  });

  it('a child-safety bank match suspends the account and opens a mandatory report holding hashes, not the image', async () => {
    const { hashes } = await hashImage(photo);
    await bank({ name: 'Known CSAM (test list)', clause_id: 'universal.1', category: 'sexual/minors' }, `${hashes.pdq}\n`);
    const copy = await sharp(photo).resize(500).jpeg({ quality: 60 }).toBuffer();
    const result = await moderate([imagePart(dataUrl(copy))], 'acct-image-1');
    expect(result.categories['sexual/minors']).toBe(true);
    expect(result.warden.violations).toMatchObject([{ clause_id: 'universal.1', category: 'sexual/minors', severity: 'critical' }]);

    const standing = (await (await server.request('/v1/accounts/acct-image-1/standing')).json()) as { suspension: unknown; events: { child_safety: boolean }[] };
    expect(standing.suspension).not.toBeNull();
    expect(standing.events[0]).toMatchObject({ child_safety: true });
    const childSafety = await server.createKey('child_safety');
    const reports = (await (await server.request('/v1/child-safety/reports', { key: childSafety })).json()) as { data: Record<string, unknown>[] };
    expect(reports.data).toHaveLength(1);
    expect(reports.data[0]).toMatchObject({ account: { id: 'acct-image-1' }, clause_ids: ['universal.1'], status: 'pending_submission', retention_hold: true });
    const stored = JSON.stringify(reports.data[0]);
    expect(stored).toContain(hashes.pdq);
    expect(stored).not.toContain(copy.toString('base64').slice(0, 100));
  });

  it('fetches an http(s) image URL only when the tenant enables it, and never from a private address unless allowed for development', async () => {
    const host = await startImageHost(photo);
    try {
      const refused = await client.moderations.create({ input: [imagePart(`${host.url}/photo.jpg`)] }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
      expect((refused as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('image_url_fetch_disabled');

      const enable = await server.request('/v1/image-settings', { method: 'PUT', json: { fetch_urls: true } });
      expect(await enable.json()).toMatchObject({ fetch_urls: true });
      const privateRefused = await client.moderations.create({ input: [imagePart(`${host.url}/photo.jpg`)] }).catch((e: unknown) => e);
      expect((privateRefused as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('image_url_refused');
      const byName = await client.moderations.create({ input: [imagePart(`${host.url.replace('127.0.0.1', 'localhost')}/photo.jpg`)] }).catch((e: unknown) => e);
      expect((byName as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('image_url_refused');
      expect(host.hits()).toBe(0);
    } finally {
      await host.close();
    }
  });

  it('with private addresses allowed (development), fetches the image, but follows no redirect and takes only images', async () => {
    process.env.WARDEN_IMAGE_FETCH_ALLOW_PRIVATE = '1';
    const dev = await startTestServer(backend);
    delete process.env.WARDEN_IMAGE_FETCH_ALLOW_PRIVATE;
    const host = await startImageHost(photo);
    try {
      const devClient = new OpenAI({ apiKey: dev.adminKey, baseURL: `${dev.baseUrl}/v1`, maxRetries: 0 });
      await dev.request('/v1/image-settings', { method: 'PUT', json: { fetch_urls: true } });
      const fetched = (await devClient.moderations.create({ input: [imagePart(`${host.url}/photo.jpg`)] })).results[0] as unknown as WardenResult;
      expect(fetched.warden.images).toMatchObject([{ format: 'jpeg', width: 640, height: 480 }]);
      const redirected = await devClient.moderations.create({ input: [imagePart(`${host.url}/redirect`)] }).catch((e: unknown) => e);
      expect((redirected as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('image_url_refused');
      const notImage = await devClient.moderations.create({ input: [imagePart(`${host.url}/text`)] }).catch((e: unknown) => e);
      expect((notImage as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('image_fetch_failed');
    } finally {
      await host.close();
      await dev.close();
    }
  });

  it('refuses a decompression bomb quickly with a 413, and bad image parts with a 400 naming the part', async () => {
    const started = performance.now();
    const bomb = await client.moderations.create({ input: [{ type: 'text', text: 'hi' }, imagePart(dataUrl(pngBomb(), 'image/png'))] }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(bomb).toBeInstanceOf(OpenAI.APIError);
    expect((bomb as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
    expect((bomb as InstanceType<typeof OpenAI.APIError>).code).toBe('image_too_large');

    const notImage = await server.request('/v1/moderations', { method: 'POST', json: { input: [imagePart('data:image/png;base64,aGVsbG8=')] } });
    expect(await expectApiError(notImage, 400)).toMatchObject({ param: 'input[0]', code: 'invalid_image' });
    const notData = await server.request('/v1/moderations', { method: 'POST', json: { input: [imagePart('data:text/plain;base64,aGVsbG8=')] } });
    expect(await expectApiError(notData, 400)).toMatchObject({ param: 'input[0]', code: 'invalid_image_url' });
    const ftp = await server.request('/v1/moderations', { method: 'POST', json: { input: [imagePart('ftp://example.com/a.png')] } });
    expect(await expectApiError(ftp, 400)).toMatchObject({ param: 'input[0]', code: 'invalid_image_url' });
  });

  it('store submissions check the icon and screenshots the same way, keeping only their hashes', async () => {
    const { hashes } = await hashImage(photo);
    const known = await bank({ name: 'Known adult images', clause_id: 'api.4.1' }, `${hashes.pdq}\n`);
    const listing = { name: 'Recipe Helper', description: 'Suggests weeknight dinners.', instructions: 'Suggest three simple recipes.', category: 'lifestyle' };
    const clean = await server.request('/v1/store/submissions', { method: 'POST', json: { ...listing, icon: dataUrl(await syntheticImage({ width: 128, height: 128, seed: 30 }), 'image/jpeg'), screenshots: [dataUrl(await syntheticImage({ seed: 31 }))] } });
    expect(clean.status, await clean.clone().text()).toBe(201);
    const approved = (await clean.json()) as { status: string; fields: { images: { field: string; pdq: string; sha256: string }[] } };
    expect(approved.status).toBe('approved');
    expect(approved.fields.images.map((i) => i.field)).toEqual(['icon', 'screenshots[0]']);
    // Classified by the image model as a moderation's images are, and kept with the hashes (benign: no reason).
    for (const image of approved.fields.images as unknown as { classification: { model: string; scores: { sexual: number }; classes: Record<string, number> } }[]) {
      expect(image.classification.model).toBe('nsfwjs-4.4.0/mobilenet_v2');
      expect(image.classification.scores.sexual).toBeLessThan(0.5);
      expect(Object.values(image.classification.classes).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
    }

    // A listing a person must look at: the review case shows the image model's scores beside the texts.
    const lyrics = await server.request('/v1/store/submissions', { method: 'POST', json: { ...listing, name: 'Lyrics Finder', description: 'Gives you the full lyrics of any song.', icon: dataUrl(await syntheticImage({ width: 128, height: 128, seed: 32 })) } });
    const pending = (await lyrics.json()) as { status: string; app_id: string };
    expect(pending.status).toBe('needs_review');
    const queue = (await (await server.request('/v1/review/queue')).json()) as { data: { id: string }[] };
    const details = await Promise.all(queue.data.map(async (c) => JSON.stringify(await (await server.request(`/v1/review/cases/${c.id}`)).json())));
    const detail = details.find((d) => d.includes(pending.app_id))!;
    expect(detail).toMatch(/Image model nsfwjs-4\.4\.0\/mobilenet_v2: sexual 0\.\d{3} \(drawing 0\.\d{3}, hentai/);

    const copy = await sharp(photo).resize(400).jpeg({ quality: 70 }).toBuffer();
    const res = await server.request('/v1/store/submissions', { method: 'POST', json: { ...listing, name: 'Recipe Helper 2', icon: dataUrl(await syntheticImage({ width: 128, height: 128, seed: 30 })), screenshots: [dataUrl(await syntheticImage({ seed: 31 })), dataUrl(copy)] } });
    expect(res.status, await res.clone().text()).toBe(201);
    const rejected = (await res.json()) as { status: string; reasons: { clause_id: string; field: string; source: string; category: string }[]; fields: Record<string, unknown> };
    expect(rejected.status).toBe('rejected');
    expect(rejected.reasons).toContainEqual(expect.objectContaining({ clause_id: 'api.4.1', field: 'screenshots[1]', source: `hash_bank:${known.id}`, category: 'sexual' }));
    expect(JSON.stringify(rejected)).not.toContain(copy.toString('base64').slice(0, 100));

    const bomb = await server.request('/v1/store/submissions', { method: 'POST', json: { ...listing, icon: dataUrl(pngBomb(), 'image/png') } });
    expect(await expectApiError(bomb, 413)).toMatchObject({ param: 'icon', code: 'image_too_large' });
  });

  it('re-reviews approved listings against their kept image hashes when a bank gains hashes, and only then', async () => {
    const listing = { name: 'Garden Planner', description: 'Plans a vegetable garden.', instructions: 'Suggest what to plant when.', category: 'lifestyle' };
    const screenshot = await syntheticImage({ width: 400, height: 300, seed: 55 });
    const submitted = await server.request('/v1/store/submissions', { method: 'POST', json: { ...listing, screenshots: [dataUrl(screenshot)] } });
    expect(submitted.status).toBe(201);
    const approved = (await submitted.json()) as { id: string; status: string };
    expect(approved.status).toBe('approved');
    await server.services.reReviews.runOnce();

    // A bank of a different image is created and filled: the listing is re-checked and stays approved.
    const other = await hashImage(await syntheticImage({ seed: 56 }));
    const unrelated = await bank({ name: 'Unrelated list', clause_id: 'api.4.1' }, `${other.hashes.pdq}\n`);
    await server.services.reReviews.runOnce();
    expect(((await (await server.request(`/v1/store/submissions/${approved.id}`)).json()) as { status: string }).status).toBe('approved');

    // A re-encoded copy of its screenshot is banked: no bytes were kept, but the kept PDQ hash now matches.
    const copy = await sharp(screenshot).jpeg({ quality: 50 }).toBuffer();
    const added = await server.request(`/v1/hash-banks/${unrelated.id}/hashes`, { method: 'POST', json: { hashes: [{ kind: 'pdq', hash: (await hashImage(copy)).hashes.pdq }] } });
    expect(added.status, await added.clone().text()).toBe(200);
    const jobs = (await (await server.request('/v1/store/review-jobs')).json()) as { data: { status: string; total: number }[] };
    expect(jobs.data[0]).toMatchObject({ status: 'pending' });
    await server.services.reReviews.runOnce();
    const after = (await (await server.request(`/v1/store/submissions/${approved.id}`)).json()) as { status: string; reasons: { clause_id: string; field: string; source: string }[] };
    expect(after.status).toBe('rejected');
    expect(after.reasons).toContainEqual(expect.objectContaining({ clause_id: 'api.4.1', field: 'screenshots[0]', source: `hash_bank:${unrelated.id}` }));
  });
});
