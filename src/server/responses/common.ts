import { z } from 'zod';

/**
 * One of `values`, for a field the database types as a plain string: the document and the answer check see the
 * enum, while handlers may return the stored string unchanged (the schema's input type is `string`).
 */
export function storedEnum<T extends readonly [string, ...string[]]>(values: T) {
  return z.string().pipe(z.enum(values as unknown as [T[number], ...T[number][]]));
}
