import { z } from 'zod';
import { InvalidInput, PayloadTooLarge } from '../common/index.ts';

/** Most inputs one request may carry, and most characters in one input. */
export const MAX_INPUTS = 256;
export const MAX_INPUT_CHARS = 100_000;

const textPart = z.object({ type: z.literal('text'), text: z.string() }).strict();
const imagePart = z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string() }).strict() }).strict();
const contentPart = z.discriminatedUnion('type', [textPart, imagePart]);

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
 * array of content parts is one multi-modal item, as OpenAI treats them. Refuses image parts
 * and oversized requests with errors that say which input.
 */
export function moderationItems(input: ModerationRequest['input']): ModerationItem[] {
  if (typeof input === 'string') return checkedItems([[input]], (i) => `input${i === 0 ? '' : `[${i}]`}`);
  if (input.every((entry): entry is string => typeof entry === 'string')) {
    return checkedItems(input.map((text) => [text]), (i) => `input[${i}]`);
  }
  const parts = input as z.infer<typeof contentPart>[];
  const texts: string[] = [];
  parts.forEach((part, index) => {
    if (part.type === 'image_url') {
      throw new InvalidInput(
        'Image moderation is not available yet: this Warden server moderates text only. Send text inputs, or remove the image_url part.',
        `input[${index}]`,
        'image_input_unsupported',
      );
    }
    texts.push(part.text);
  });
  return checkedItems([texts], () => 'input');
}

function checkedItems(items: ModerationItem[], paramOf: (index: number) => string): ModerationItem[] {
  if (items.length > MAX_INPUTS) {
    throw new InvalidInput(`Too many inputs: ${items.length}; send at most ${MAX_INPUTS} per request.`, 'input', 'too_many_inputs');
  }
  items.forEach((parts, index) => {
    const chars = parts.reduce((sum, part) => sum + part.length, 0);
    if (chars > MAX_INPUT_CHARS) {
      throw new PayloadTooLarge(`${paramOf(index)} has ${chars} characters; each input may have at most ${MAX_INPUT_CHARS}.`, paramOf(index));
    }
  });
  return items;
}
