import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HASH_KINDS, MAX_BANK_THRESHOLD } from '../../images/index.ts';
import { actorOf, principalOf } from '../auth.ts';
import type { Services } from '../../app/index.ts';
import { CREATED_KEY, listPage, pageQuery } from '../pagination.ts';
import { deletedHashBank, hashBank, hashBankEntries, hashBankExport, hashesAdded, hashesRemoved, imageSettings, pageOf } from '../responses.ts';
import type { ZodTypeProvider } from '../zod.ts';

/** A million PDQ lines (`hash,quality`) are about 67 MB. */
const IMPORT_BODY_LIMIT = 80 * 1024 * 1024;
const MAX_HASHES_PER_REQUEST = 10_000;

const idParams = z.object({ id: z.string().min(1).max(300) }).strict();
const hashParams = idParams.extend({ hash: z.string().min(1).max(128) }).strict();
const threshold = z.number().int().min(0).max(MAX_BANK_THRESHOLD);

const bankBody = z
  .object({
    name: z.string().min(1).max(200),
    description: z.string().max(2000).nullable().optional(),
    clause_id: z.string().min(1).max(200),
    category: z.string().min(1).max(100).optional(),
    threshold: threshold.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

const patchBody = z
  .object({ name: z.string().min(1).max(200), description: z.string().max(2000).nullable(), threshold, enabled: z.boolean() })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'change at least one of name, description, threshold, enabled');

const entry = z
  .object({
    kind: z.enum(HASH_KINDS).optional(),
    hash: z.string().min(1).max(128),
    quality: z.number().int().min(0).max(100).nullable().optional(),
    note: z.string().max(500).nullable().optional(),
  })
  .strict();
const addBody = z.object({ hashes: z.array(entry).min(1).max(MAX_HASHES_PER_REQUEST) }).strict();
const removeBody = z.object({ hashes: z.array(entry.pick({ kind: true, hash: true })).min(1).max(MAX_HASHES_PER_REQUEST) }).strict();
const hashesQuery = z.object({ after: z.coerce.number().int().min(0).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict();
const kindQuery = z.object({ kind: z.enum(HASH_KINDS).default('pdq') }).strict();

const settingsBody = z.object({ fetch_urls: z.boolean() }).strict();

/**
 * Image settings (admin): whether /v1/moderations fetches image URLs for the tenant.
 *
 * Hash banks (admin): known images' hashes a tenant matches uploads against, each bank tied to the policy clause
 * a match violates. Reviewers and child-safety staff may see the banks; only admins and child-safety staff see
 * the hashes themselves (shared hash lists are confidential).
 */
export async function imageRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const banks = services.hashBanks;
  const admin = { roles: ['admin'] as const };
  const readers = { roles: ['admin', 'reviewer', 'child_safety'] as const };
  const hashReaders = { roles: ['admin', 'child_safety'] as const };

  app.get('/v1/image-settings', { schema: { response: { 200: imageSettings } }, config: admin }, async (request) => services.imageSettings.get(principalOf(request).tenantId));

  app.put('/v1/image-settings', { schema: { body: settingsBody, response: { 200: imageSettings } }, config: admin }, async (request) =>
    services.imageSettings.set(principalOf(request).tenantId, request.body, actorOf(request)),
  );

  app.post('/v1/hash-banks', { schema: { body: bankBody, response: { 201: hashBank } }, config: admin }, async (request, reply) =>
    reply.status(201).send(await banks.create(principalOf(request).tenantId, request.body, actorOf(request))),
  );

  app.get('/v1/hash-banks', { schema: { querystring: pageQuery, response: { 200: pageOf(hashBank) } }, config: readers }, async (request) =>
    listPage(request.query, CREATED_KEY, (page) => banks.list(principalOf(request).tenantId, page), (bank) => [bank.created_at, bank.id]),
  );

  app.get('/v1/hash-banks/:id', { schema: { params: idParams, response: { 200: hashBank } }, config: readers }, async (request) => banks.get(principalOf(request).tenantId, request.params.id));

  app.patch('/v1/hash-banks/:id', { schema: { params: idParams, body: patchBody, response: { 200: hashBank } }, config: admin }, async (request) =>
    banks.update(principalOf(request).tenantId, request.params.id, request.body, actorOf(request)),
  );

  app.delete('/v1/hash-banks/:id', { schema: { params: idParams, response: { 200: deletedHashBank } }, config: admin }, async (request) => {
    await banks.delete(principalOf(request).tenantId, request.params.id, actorOf(request));
    return { object: 'hash_bank' as const, id: request.params.id, deleted: true as const };
  });

  app.get('/v1/hash-banks/:id/hashes', { schema: { params: idParams, querystring: hashesQuery, response: { 200: hashBankEntries } }, config: hashReaders }, async (request) => ({
    object: 'list' as const,
    ...(await banks.listHashes(principalOf(request).tenantId, request.params.id, request.query)),
  }));

  app.post('/v1/hash-banks/:id/hashes', { schema: { params: idParams, body: addBody, response: { 200: hashesAdded } }, config: admin }, async (request) =>
    banks.addHashes(principalOf(request).tenantId, request.params.id, request.body.hashes, actorOf(request)),
  );

  app.post('/v1/hash-banks/:id/hashes/remove', { schema: { params: idParams, body: removeBody, response: { 200: hashesRemoved } }, config: admin }, async (request) =>
    banks.removeHashes(principalOf(request).tenantId, request.params.id, request.body.hashes, actorOf(request)),
  );

  app.delete('/v1/hash-banks/:id/hashes/:hash', { schema: { params: hashParams, querystring: kindQuery, response: { 200: hashesRemoved } }, config: admin }, async (request) =>
    banks.removeHashes(principalOf(request).tenantId, request.params.id, [{ kind: request.query.kind, hash: request.params.hash }], actorOf(request)),
  );

  // ThreatExchange's PDQ text format, as text/plain: `hash,quality` (or a hash) per line.
  app.post('/v1/hash-banks/:id/import', { schema: { params: idParams, body: z.string(), response: { 200: hashesAdded } }, config: admin, bodyLimit: IMPORT_BODY_LIMIT }, async (request) =>
    banks.importText(principalOf(request).tenantId, request.params.id, request.body, actorOf(request)),
  );

  app.get('/v1/hash-banks/:id/export', { schema: { params: idParams, response: { 200: hashBankExport } }, config: hashReaders }, async (request, reply) =>
    reply.type('text/plain; charset=utf-8').send(await banks.exportText(principalOf(request).tenantId, request.params.id)),
  );
}
