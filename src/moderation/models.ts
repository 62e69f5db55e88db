import { InvalidInput } from '../common/index.ts';

export const DEFAULT_MODEL = 'omni-moderation-latest';

/** OpenAI's moderation model names; all of them are served by Warden's local text model. */
export const MODEL_NAMES = [
  'omni-moderation-latest',
  'omni-moderation-2024-09-26',
  'text-moderation-latest',
  'text-moderation-stable',
] as const;

/** The model name to report, or a 400 `model_not_found` for one Warden does not serve. */
export function resolveModel(name: string | undefined): string {
  const model = name ?? DEFAULT_MODEL;
  if (!(MODEL_NAMES as readonly string[]).includes(model)) {
    throw new InvalidInput(`The model "${model}" does not exist. Use one of: ${MODEL_NAMES.join(', ')}.`, 'model', 'model_not_found');
  }
  return model;
}
