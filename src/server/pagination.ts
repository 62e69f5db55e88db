import { z } from 'zod';
import { type CursorShape, type Sequenced, type Page, type PageRequest, type CursorKey, decodeCursor, toPage } from '../common/index.ts';

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
 * `has_more` is exact), encodes the next cursor from the last row's sort key (`keyOf`) and answers each row as
 * `viewOf` shows it, so that an internal sort key (a sequence number) is used for the cursor and never answered.
 */
export async function listPage<Row, View = Row>(
  query: { limit: number; after?: string },
  shape: CursorShape,
  load: (page: PageRequest) => Promise<Row[]>,
  keyOf: (row: Row) => CursorKey,
  viewOf: (row: Row) => View = (row) => row as unknown as View,
): Promise<Page<View>> {
  const after = query.after === undefined ? undefined : decodeCursor(query.after, shape);
  const page = toPage(await load({ limit: query.limit + 1, after }), query.limit, keyOf);
  return { ...page, data: page.data.map(viewOf) };
}

/** {@link listPage} for a list sorted by an internal sequence: its cursor is the sequence, its rows only the view. */
export function listBySeq<View>(query: { limit: number; after?: string }, load: (page: PageRequest) => Promise<Sequenced<View>[]>): Promise<Page<View>> {
  return listPage(query, SEQ_KEY, load, (row) => [row.seq], (row) => row.view);
}
