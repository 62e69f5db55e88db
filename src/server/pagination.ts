import { z } from 'zod';
import { type CursorShape, type Page, type PageRequest, type CursorKey, decodeCursor, toPage } from '../common/index.ts';

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 500;

/** `?limit=` (1–500, default 100) and `?after=` (the previous page's `next_cursor`), on every list route. */
export const pageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT),
    after: z.string().min(1).max(512).optional(),
  })
  .strict();

/** Sort keys of the lists: an autoincrement sequence, or creation time then id. */
export const SEQ_KEY: CursorShape = ['number'];
export const CREATED_KEY: CursorShape = ['string', 'string'];

/**
 * Serves one page of a list: decodes the cursor, asks `load` for one row more than the page holds (so that
 * `has_more` is exact), and encodes the next cursor from the last row's sort key.
 */
export async function listPage<T>(
  query: { limit: number; after?: string },
  shape: CursorShape,
  load: (page: PageRequest) => Promise<T[]>,
  keyOf: (row: T) => CursorKey,
): Promise<Page<T>> {
  const after = query.after === undefined ? undefined : decodeCursor(query.after, shape);
  return toPage(await load({ limit: query.limit + 1, after }), query.limit, keyOf);
}
