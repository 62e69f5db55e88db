import { InvalidInput, MODERATION_CATEGORIES, type ModerationCategory } from '../common/index.ts';

export const DEFAULT_MODEL = 'omni-moderation-latest';

/**
 * The 11 categories of OpenAI's legacy `text-moderation-*` models: the omni categories without `illicit` and
 * `illicit/violent`, which those models never had.
 */
export const LEGACY_CATEGORIES: readonly ModerationCategory[] = MODERATION_CATEGORIES.filter((c) => c !== 'illicit' && c !== 'illicit/violent');

/** OpenAI's moderation model names, each with the categories OpenAI answers it with; Warden's local text model serves all. */
const MODELS: Readonly<Record<string, readonly ModerationCategory[]>> = {
  'omni-moderation-latest': MODERATION_CATEGORIES,
  'omni-moderation-2024-09-26': MODERATION_CATEGORIES,
  'text-moderation-latest': LEGACY_CATEGORIES,
  'text-moderation-stable': LEGACY_CATEGORIES,
  'text-moderation-007': LEGACY_CATEGORIES,
};

export const MODEL_NAMES: readonly string[] = Object.keys(MODELS);

/** The model name to report, or a 400 `model_not_found` for one Warden does not serve. */
export function resolveModel(name: string | undefined): string {
  const model = name ?? DEFAULT_MODEL;
  if (!Object.hasOwn(MODELS, model)) {
    throw new InvalidInput(`The model "${model}" does not exist. Use one of: ${MODEL_NAMES.join(', ')}.`, 'model', 'model_not_found');
  }
  return model;
}

/** The categories a result for `model` (a name {@link resolveModel} accepted) carries. */
export function modelCategories(model: string): readonly ModerationCategory[] {
  return MODELS[model] ?? MODERATION_CATEGORIES;
}
