/** Moderation categories, exactly as OpenAI's omni-moderation names them (DESIGN §3). */
export const MODERATION_CATEGORIES = [
  'harassment',
  'harassment/threatening',
  'hate',
  'hate/threatening',
  'illicit',
  'illicit/violent',
  'self-harm',
  'self-harm/intent',
  'self-harm/instructions',
  'sexual',
  'sexual/minors',
  'violence',
  'violence/graphic',
] as const;

/** Categories Warden adds for the seed's clauses, reported under a result's `warden` extension. */
export const WARDEN_CATEGORIES = [
  'privacy/sensitive-identifiers',
  'privacy/surveillance',
  'weapons',
  'safeguard-circumvention',
  'regulated-advice/legal',
  'regulated-advice/medical',
  'regulated-advice/financial',
  'high-stakes-decisions',
  'gambling-lending',
  'political-campaigning',
  'election-integrity',
  'deception/disinformation',
  'deception/fake-engagement',
  'impersonation',
  'academic-dishonesty',
  'ai-disclosure',
  'minors/targeting',
  'profanity',
  'romantic-companionship',
] as const;

export const ALL_CATEGORIES = [...MODERATION_CATEGORIES, ...WARDEN_CATEGORIES] as const;

export type ModerationCategory = (typeof MODERATION_CATEGORIES)[number];
export type WardenCategory = (typeof WARDEN_CATEGORIES)[number];
export type Category = (typeof ALL_CATEGORIES)[number];

/**
 * The highest score of `scores` and its category, or `top` when none is higher (the first of equals wins).
 *
 * @example
 * highestScore({ hate: 0.2, violence: 0.7 }) // ['violence', 0.7]
 */
export function highestScore(scores: Record<string, number | undefined>, top: readonly [string | null, number] = [null, 0]): readonly [string | null, number] {
  let best = top;
  for (const category in scores) {
    const score = scores[category]!;
    if (best[0] === null || score > best[1]) best = [category, score];
  }
  return best;
}
