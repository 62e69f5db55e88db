import { InvalidInput } from './errors.ts';

/**
 * One pagination convention for every list: `limit` and an opaque `after` cursor in, `{data, has_more,
 * next_cursor}` out. A cursor encodes the sort key of the last row of a page (for example `[seq]` or
 * `[created_at, id]`); the next page is the rows strictly after it, so pages neither skip nor repeat rows when
 * others are added meanwhile. `has_more` is exact: one row more than asked for is read to know it.
 *
 * @example
 * const page = toPage(rowsUpToLimitPlusOne, 100, (row) => [row.created_at, row.id]);
 * // { object: 'list', data: [...100 rows], has_more: true, next_cursor: 'WyIyMDI2LTAxLTAxVDAwOjAwOjAwWiIsImtleV8xIl0' }
 */
export type CursorKey = readonly (string | number)[];

/** What a list query asks a domain for: up to `limit` rows strictly after `after`, in the list's order. */
export interface PageRequest {
  limit: number;
  after?: CursorKey;
}

export interface Page<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

/** The shape of a list's sort key, to refuse a cursor that another list (or a hand) made. */
export type CursorShape = readonly ('string' | 'number')[];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, shape: CursorShape): CursorKey {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = null;
  }
  const fits = Array.isArray(key) && key.length === shape.length && key.every((part, i) => typeof part === shape[i] && (typeof part !== 'number' || Number.isSafeInteger(part)));
  if (!fits) throw new InvalidInput('after: not a cursor of this list; pass the next_cursor of its previous page', 'after', 'invalid_cursor');
  return key as CursorKey;
}

/** A page from the rows read for it (up to limit + 1 of them). */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => CursorKey): Page<T> {
  const data = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return { object: 'list', data, has_more: hasMore, next_cursor: hasMore ? encodeCursor(keyOf(data[data.length - 1]!)) : null };
}

/**
 * A row of a list sorted by an internal sequence number: the number is the cursor, `view` what is answered. Lists
 * return these so that the sequence never leaks into an answer.
 */
export interface Sequenced<View> {
  seq: number;
  view: View;
}
