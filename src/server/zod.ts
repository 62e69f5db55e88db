import type { FastifySchemaCompiler, FastifyTypeProvider } from 'fastify';
import type { z } from 'zod';
import { zodToInvalidInput } from '../common/index.ts';

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
