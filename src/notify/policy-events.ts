import type { Clock } from '../common/index.ts';
import { type PolicyPublishedHook, diffPolicies } from '../policy/index.ts';
import { enqueueEvent } from './outbox.ts';

/** A publication hook that announces the new version, its changelog entry and its clause diff, through the outbox. */
export function announcePolicyPublished(clock: Clock): PolicyPublishedHook {
  return async (tx, { tenantId, document, previous, actor }) => {
    const diff = previous ? diffPolicies(previous, document) : null;
    await enqueueEvent(tx, {
      tenantId,
      type: 'policy.published',
      at: clock.now(),
      payload: {
        policy: { name: document.name, version: document.version, title: document.title, effective_date: document.effective_date },
        previous_version: previous?.version ?? null,
        published_by: actor,
        changelog_entry: diff?.new_changelog_entries[0] ?? document.changelog[0] ?? null,
        diff,
      },
    });
  };
}
