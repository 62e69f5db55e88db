import fc from 'fast-check';
import type { ZodTypeAny } from 'zod';

/**
 * fast-check arbitraries for the HTTP fuzzing suite: values shaped by a route's zod schema, then
 * (often) mutated into something hostile — a field swapped for a long string, a NUL, a huge or
 * negative number, deep nesting, the wrong type, or an unknown field.
 */

interface Check {
  kind: string;
  value?: unknown;
  regex?: RegExp;
}

const def = (schema: ZodTypeAny) => schema._def as Record<string, unknown> & { typeName: string; checks?: Check[] };
const check = (schema: ZodTypeAny, kind: string) => def(schema).checks?.find((c) => c.kind === kind);

/** A value the schema would (mostly) accept; depth caps recursion through lazy or unknown parts. */
export function shapedBy(schema: ZodTypeAny, depth = 0): fc.Arbitrary<unknown> {
  const d = def(schema);
  switch (d.typeName) {
    case 'ZodString':
      return stringFor(schema);
    case 'ZodNumber': {
      const min = (check(schema, 'min')?.value as number | undefined) ?? -1e6;
      const max = (check(schema, 'max')?.value as number | undefined) ?? 1e6;
      return check(schema, 'int') ? fc.integer({ min: Math.ceil(Math.max(min, -1e9)), max: Math.floor(Math.min(max, 1e9)) }) : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'ZodBoolean':
      return fc.boolean();
    case 'ZodEnum':
      return fc.constantFrom(...(d.values as string[]));
    case 'ZodNativeEnum':
      return fc.constantFrom(...Object.values(d.values as object));
    case 'ZodLiteral':
      return fc.constant(d.value);
    case 'ZodNull':
      return fc.constant(null);
    case 'ZodArray': {
      const minLength = (d.minLength as { value: number } | null)?.value ?? 0;
      const maxLength = Math.min((d.maxLength as { value: number } | null)?.value ?? 4, Math.max(minLength, 4));
      return fc.array(shapedBy(d.type as ZodTypeAny, depth + 1), { minLength, maxLength });
    }
    case 'ZodObject': {
      const shape = (d.shape as () => Record<string, ZodTypeAny>)();
      const model = Object.fromEntries(Object.entries(shape).map(([key, value]) => [key, shapedBy(value, depth + 1)]));
      const requiredKeys = Object.entries(shape).filter(([, value]) => !value.isOptional()).map(([key]) => key);
      return fc.record(model, { requiredKeys });
    }
    case 'ZodOptional':
    case 'ZodDefault':
      return fc.option(shapedBy(d.innerType as ZodTypeAny, depth), { nil: undefined, freq: 3 });
    case 'ZodNullable':
      return fc.option(shapedBy(d.innerType as ZodTypeAny, depth), { nil: null, freq: 3 });
    case 'ZodEffects':
      return shapedBy(d.schema as ZodTypeAny, depth);
    case 'ZodPipeline':
      return shapedBy(d.in as ZodTypeAny, depth);
    case 'ZodBranded':
    case 'ZodReadonly':
    case 'ZodCatch':
      return shapedBy((d.type ?? d.innerType) as ZodTypeAny, depth);
    case 'ZodUnion':
    case 'ZodDiscriminatedUnion':
      return fc.oneof(...(d.options as ZodTypeAny[]).map((option) => shapedBy(option, depth + 1)));
    case 'ZodRecord':
      return fc.dictionary(shapedBy(d.keyType as ZodTypeAny, depth + 1) as fc.Arbitrary<string>, shapedBy(d.valueType as ZodTypeAny, depth + 1), { maxKeys: 3 });
    case 'ZodTuple':
      return fc.tuple(...(d.items as ZodTypeAny[]).map((item) => shapedBy(item, depth + 1)));
    case 'ZodLazy':
      return depth > 4 ? fc.constant(null) : shapedBy((d.getter as () => ZodTypeAny)(), depth + 1);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringFor(schema: ZodTypeAny): fc.Arbitrary<string> {
  const min = (check(schema, 'min')?.value as number | undefined) ?? 0;
  const max = Math.min((check(schema, 'max')?.value as number | undefined) ?? 40, 300);
  if (check(schema, 'datetime')) return fc.date({ min: new Date('2000-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }).map((date) => date.toISOString());
  if (check(schema, 'email')) return fc.emailAddress();
  if (check(schema, 'url')) return fc.webUrl();
  const regex = check(schema, 'regex')?.regex;
  if (regex) return fc.stringMatching(regex); // no length filter: it could reject every candidate for ever
  return fc.string({ minLength: min, maxLength: Math.max(max, min), unit: fc.oneof(fc.constantFrom('a', 'b', '1', '-', '.', ' '), fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' })) });
}

/**
 * The longest hostile string. The bounded run in `npm test` keeps it at 20,000 characters, so that
 * what it checks is responsiveness to odd input rather than the CPU cost of moderating a long text
 * (that is the moderation CPU budget's own benchmark); `npm run fuzz` raises it.
 */
const LONGEST = Number(process.env.WARDEN_FUZZ_LONGEST ?? 20_000);

/** Values that break assumptions: long, deep, NUL, huge, negative, odd types. */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('', '\u0000', 'a\u0000b', '\ud800', '%', '_', '../../etc/passwd', '<script>', '${x}', 'null', '1e999', '-0', '\u202e'),
  fc.integer({ min: 1000, max: LONGEST }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 2, max: 2_000 }).map((n) => '1 '.repeat(n)),
  fc.constantFrom(0, -1, -1e308, 1e308, Number.MAX_SAFE_INTEGER + 2, 0.5, 1e15, -2147483649),
  fc.constantFrom(true, false, null, [], {}, [[]], { a: null }),
  fc.integer({ min: 10, max: 120 }).map((depth) => nest(depth)),
  fc.jsonValue({ maxDepth: 3 }),
);

function nest(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** Every path to a value inside a JSON-like value (root first). */
function pathsIn(value: unknown): (string | number)[][] {
  const out: (string | number)[][] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0 && out.length < 500) {
    const item = stack.pop()!;
    out.push(item.path);
    if (item.value && typeof item.value === 'object') {
      for (const [key, child] of Object.entries(item.value)) stack.push({ value: child, path: [...item.path, Array.isArray(item.value) ? Number(key) : key] });
    }
  }
  return out;
}

export type Mutation = { kind: 'none' } | { kind: 'replace'; pick: number; with: unknown } | { kind: 'extra'; key: string; with: unknown } | { kind: 'drop'; pick: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), with: hostile }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extra' as const), key: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', '\u0000')), with: hostile }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }) },
);

/** Applies a mutation to a copy of the value. */
export function mutate(value: unknown, m: Mutation): unknown {
  if (m.kind === 'none') return value;
  const copy = structuredClone(value) as unknown;
  if (m.kind === 'extra') {
    if (copy && typeof copy === 'object' && !Array.isArray(copy)) Object.defineProperty(copy, m.key, { value: m.with, enumerable: true, configurable: true, writable: true });
    return copy;
  }
  const paths = pathsIn(copy);
  const path = paths[m.pick % paths.length]!;
  if (path.length === 0) return m.kind === 'replace' ? m.with : undefined;
  const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], copy) as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (m.kind === 'replace') parent[last] = m.with;
  else if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete parent[last];
  return copy;
}
