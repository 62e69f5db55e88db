import type { Principal } from '../tenancy/index.ts';
import type { ModerationResult } from './moderator.ts';

/** One answered /v1/moderations call, as enforcement and review see it. */
export interface ModeratedBatch {
  id: string;
  results: ModerationResult[];
  /** sha256 of each result's input text (parts joined by newlines), so events can name content without storing it. */
  contentDigests: string[];
  /** Each result's input text (parts joined by newlines), for whoever must show a person what was judged. */
  contents: string[];
}

/**
 * Called after every moderation with the caller and the account it named (`warden.account`,
 * else OpenAI's `user`, else null). Enforcement records violations against the account here.
 */
export type ModeratedHook = (principal: Principal, account: string | null, batch: ModeratedBatch) => Promise<void>;

/** The hook until something subscribes: moderation works without enforcement. */
export const ignoreModerated: ModeratedHook = async () => undefined;
