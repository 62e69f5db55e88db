import type { FastifySchemaCompiler, FastifySerializerCompiler, FastifyTypeProvider } from 'fastify';
import type { z } from 'zod';
import { WardenError, zodToInvalidInput } from '../common/index.ts';

/** Lets route handlers see `request.body` etc. typed from the zod schemas next to them. */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodTypeAny ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodTypeAny ? z.input<this['schema']> : unknown;
}

/** Validates with zod and fails with an OpenAI-shaped 400 naming the field. */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodTypeAny> = ({ schema }) => (data) => {
  const result = schema.safeParse(data);
  return result.success ? { value: result.data } : { error: zodToInvalidInput(result.error) };
};

/**
 * The serialiser of a route's answers: always plain `JSON.stringify` (response schemas describe, never filter).
 * With `check` (the test servers), an answer that its status's schema does not describe fails the request with a
 * 500 naming the difference: a field of the wrong type, or one the schema does not list.
 */
export function zodSerializerCompiler(check: boolean): FastifySerializerCompiler<unknown> {
  return ({ schema, method, url, httpStatus }) => {
    if (!check || !isZodSchema(schema)) return (data) => JSON.stringify(data);
    return (data) => {
      const json = JSON.stringify(data);
      const problems = undescribed(schema, JSON.parse(json) as unknown);
      if (problems.length > 0) throw new WardenError(500, 'server_error', 'undescribed_answer', `The ${httpStatus} answer of ${method} ${url} does not match its response schema: ${problems.join('; ')}`);
      return json;
    };
  };
}

function isZodSchema(value: unknown): value is z.ZodTypeAny {
  return typeof value === 'object' && value !== null && typeof (value as z.ZodTypeAny).safeParse === 'function';
}

/** Where `sent` breaks `schema`, or has a field that parsing with it would strip (an undocumented field). */
function undescribed(schema: z.ZodTypeAny, sent: unknown): string[] {
  const parsed = schema.safeParse(sent);
  if (!parsed.success) return parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
  const extra: string[] = [];
  const walk = (original: unknown, kept: unknown, path: string) => {
    if (Array.isArray(original) && Array.isArray(kept)) original.forEach((item, index) => walk(item, kept[index], `${path}[${index}]`));
    else if (isPlainObject(original) && isPlainObject(kept)) {
      for (const [key, value] of Object.entries(original)) {
        if (key in kept) walk(value, kept[key], path ? `${path}.${key}` : key);
        else extra.push(`${path ? `${path}.${key}` : key}: not in the schema`);
      }
    }
  };
  walk(sent, parsed.data, '');
  return extra;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
