import { z } from 'zod';
import { InvalidInput, PayloadTooLarge } from '../common/index.ts';

/** Most inputs one request may carry, and most characters in one input. */
export const MAX_INPUTS = 256;
export const MAX_INPUT_CHARS = 100_000;
/** Characters of text in one request, all inputs together (the request body may be larger for its images). */
export const MAX_REQUEST_CHARS = 1_000_000;

const textPart = z.object({ type: z.literal('text'), text: z.string() }).strict();
const imagePart = z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string() }).strict() }).strict();
const contentPart = z.discriminatedUnion('type', [textPart, imagePart]);
type ContentPart = z.infer<typeof contentPart>;

/** OpenAI's moderation request, plus Warden's optional `warden.account`. */
export const moderationRequestSchema = z
  .object({
    input: z.union([z.string(), z.array(z.string()).min(1, 'send at least one input'), z.array(contentPart).min(1, 'send at least one input')]),
    model: z.string().min(1).max(200).optional(),
    user: z.string().min(1).max(256).optional(),
    warden: z.object({ account: z.string().min(1).max(256) }).strict().optional(),
  })
  .strict();

export type ModerationRequest = z.infer<typeof moderationRequestSchema>;

/** One item to moderate: its text parts (a string is one part). Each item gets one result. */
export type ModerationItem = string[];

/**
 * The items of a request: a string is one item, an array of strings is one item each, and an
 * array of content parts is one multi-modal item, as OpenAI treats them (its text parts here; its
 * images from {@link moderationImages}). Refuses oversized requests with errors that say which input.
 */
export function moderationItems(input: ModerationRequest['input']): ModerationItem[] {
  if (typeof input === 'string') return checkedItems([[input]], (i) => `input${i === 0 ? '' : `[${i}]`}`);
  if (input.every((entry): entry is string => typeof entry === 'string')) {
    return checkedItems(input.map((text) => [text]), (i) => `input[${i}]`);
  }
  const texts = (input as ContentPart[]).flatMap((part) => (part.type === 'text' ? [part.text] : []));
  return checkedItems([texts], () => 'input');
}

/** The `image_url` parts of a multi-modal input, each with the field that carried it; they belong to its one item. */
export function moderationImages(input: ModerationRequest['input']): { url: string; param: string }[] {
  if (typeof input === 'string') return [];
  return (input as (string | ContentPart)[]).flatMap((part, index) =>
    typeof part !== 'string' && part.type === 'image_url' ? [{ url: part.image_url.url, param: `input[${index}]` }] : [],
  );
}

function checkedItems(items: ModerationItem[], paramOf: (index: number) => string): ModerationItem[] {
  if (items.length > MAX_INPUTS) {
    throw new InvalidInput(`Too many inputs: ${items.length}; send at most ${MAX_INPUTS} per request.`, 'input', 'too_many_inputs');
  }
  const total = items.reduce((sum, parts) => sum + parts.reduce((n, part) => n + part.length, 0), 0);
  if (total > MAX_REQUEST_CHARS) {
    throw new PayloadTooLarge(`The request has ${total} characters of text; send at most ${MAX_REQUEST_CHARS} per request.`, 'input');
  }
  items.forEach((parts, index) => {
    const chars = parts.reduce((sum, part) => sum + part.length, 0);
    if (chars > MAX_INPUT_CHARS) {
      throw new PayloadTooLarge(`${paramOf(index)} has ${chars} characters; each input may have at most ${MAX_INPUT_CHARS}.`, paramOf(index));
    }
  });
  return items;
}
