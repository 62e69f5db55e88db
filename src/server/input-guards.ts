import type { FastifyInstance } from 'fastify';
import { InvalidInput, formatPath } from '../common/index.ts';

/**
 * The longest path segment (e.g. an account id in `/v1/accounts/{id}/…`) the router accepts, as
 * sent on the wire. Ids are at most 256 characters, which percent-encode to at most 3,072; the
 * route schemas check the decoded length.
 */
export const MAX_PARAM_LENGTH = 4096;

/** Deepest nesting of arrays and objects accepted in a body; no Warden document needs a tenth of it. */
export const MAX_NESTING = 64;

type Path = (string | number)[];

/**
 * Refuses, with a 400 naming the field, input that the rest of the server cannot hold safely, on
 * every route and before its schema runs: a NUL character in any string or key of the body, query
 * or path (PostgreSQL's text type cannot store U+0000, so without this SQLite would keep what
 * PostgreSQL fails on), and a body nested deeper than MAX_NESTING (canonical JSON, digests and
 * zod walk documents recursively; JSON.parse itself does not, so depth has to be checked here).
 * The walk is iterative and visits each value once.
 */
export function registerInputGuards(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    try {
      checkValue(request.params, 'path');
      checkValue(request.query, 'query');
      checkValue(request.body, 'body');
    } catch (error) {
      return done(error as Error);
    }
    done();
  });
}

/** A value met on the walk: its parent's entry and its key there, so a path is built only for an error. */
interface Visit {
  value: unknown;
  parent: Visit | null;
  key: string | number;
  depth: number;
}

function checkValue(root: unknown, where: 'path' | 'query' | 'body'): void {
  if (root === null || typeof root !== 'object') {
    if (typeof root === 'string' && root.includes('\0')) throw nulError([], where);
    return;
  }
  const stack: Visit[] = [{ value: root, parent: null, key: '', depth: 0 }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { value, depth } = visit;
    if (typeof value === 'string') {
      if (value.includes('\0')) throw nulError(pathOf(visit), where);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_NESTING) {
      throw new InvalidInput(`The ${where} nests arrays and objects deeper than ${MAX_NESTING} levels.`, formatPath('', pathOf(visit)) || null, 'too_deep');
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], parent: visit, key: i, depth: depth + 1 });
      continue;
    }
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      if (key.includes('\0')) throw nulError([...pathOf(visit), key], where);
      stack.push({ value: (value as Record<string, unknown>)[key], parent: visit, key, depth: depth + 1 });
    }
  }
}

function pathOf(visit: Visit): Path {
  const path: Path = [];
  for (let at: Visit | null = visit; at?.parent; at = at.parent) path.unshift(at.key);
  return path;
}

function nulError(path: Path, where: string): InvalidInput {
  const param = formatPath('', path) || null;
  return new InvalidInput(`${param ?? `The ${where}`}: NUL characters (U+0000) are not accepted.`, param, 'invalid_characters');
}
