import { z } from 'zod';
import { pageOf } from '../responses.ts';

/** An entry of the tenant's hash-chained audit log. */
export const auditEntry = z.object({
  seq: z.number().int().describe('The position in the chain (the list is in this order).'),
  at: z.string(),
  tenant_id: z.string().nullable(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  payload: z.unknown(),
  payload_digest: z.string(),
  prev_hash: z.string(),
  hash: z.string(),
});
export const auditPage = pageOf(auditEntry);
