import * as crypto from 'node:crypto';
import { createHash, randomFillSync } from 'node:crypto';

/**
 * Random bytes for identifiers, drawn from the operating system's CSPRNG a pool at a time: one
 * `getrandom` call per 4 KiB rather than one per id (crypto.randomUUID does the same), since the
 * moderation hot path takes a fresh id on every request.
 */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolOffset = POOL_BYTES;

function randomSlice(bytes: number): Buffer {
  if (poolOffset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const slice = pool.subarray(poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return slice;
}

/** A random, URL-safe identifier with a type prefix, e.g. `ten_3k9…`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomSlice(12).toString('base64url')}`;
}

/** `bytes` random bytes as lowercase hex. */
export function randomHex(bytes: number): string {
  return randomSlice(bytes).toString('hex');
}

/**
 * Node's one-shot `crypto.hash` (20.12 and later) where present: about 2.5 times as fast for the short strings
 * hashed on every request (a key's lookup digest, content digests) as a Hash object, which `createHash` is.
 */
// Read from the namespace: a named import would fail to link on an older Node 20.
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : null;

export function sha256Hex(data: string | Buffer): string {
  return oneShot ? oneShot('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex');
}

/**
 * JSON with object keys sorted, so equal values always hash the same. Written in one walk, without building
 * sorted copies of the objects first (half the time; digests of request bodies and audit payloads take it on
 * every write). The output is exactly `JSON.stringify` of copies of the value whose objects have their own
 * enumerable keys sorted and undefined values dropped (so array-index keys come first: see canonicalKeys);
 * like that, an object with `toJSON` (a Date) is walked as an object.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, { d: null, c: 'x' }] }); // '{"a":[true,{"c":"x","d":null}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return canonical(value) as string;
}

/** A value's canonical JSON; undefined where JSON.stringify leaves the value out (undefined, a function, a symbol). */
function canonical(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'object':
      return Array.isArray(value) ? canonicalArray(value) : canonicalObject(value as Record<string, unknown>);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
    case 'number':
    case 'bigint': // throws, as JSON.stringify does
      return JSON.stringify(value);
    default:
      return undefined;
  }
}

function canonicalArray(items: unknown[]): string {
  let json = '[';
  // Indexed, not mapped: a hole is null, as JSON.stringify writes it.
  for (let i = 0; i < items.length; i += 1) json += `${i > 0 ? ',' : ''}${canonical(items[i]) ?? 'null'}`;
  return `${json}]`;
}

function canonicalObject(record: Record<string, unknown>): string {
  let json = '{';
  for (const key of canonicalKeys(record)) {
    const member = canonical(record[key]);
    if (member === undefined) continue;
    json += `${json.length > 1 ? ',' : ''}${JSON.stringify(key)}:${member}`;
  }
  return `${json}}`;
}

/**
 * An object's keys in canonical order: as the sorted copy's own keys come out of JSON.stringify, which is
 * array-index keys ("0", "2", "10") first in numeric order (JavaScript's property order puts them there,
 * whatever the order of insertion), then the others sorted by UTF-16 code units.
 */
function canonicalKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  // Object.keys lists the index keys first, ascending.
  let indexKeys = 0;
  while (indexKeys < keys.length && isArrayIndex(keys[indexKeys]!)) indexKeys += 1;
  return indexKeys === 0 ? keys.sort() : [...keys.slice(0, indexKeys), ...keys.slice(indexKeys).sort()];
}

function isArrayIndex(key: string): boolean {
  const n = Number(key);
  return n >>> 0 === n && n !== 2 ** 32 - 1 && String(n) === key;
}
