import { AuditLog } from '../audit/index.ts';
import { type Clock, systemClock } from '../common/index.ts';
import type { Store } from '../db/index.ts';
import { localDetection } from '../detect/index.ts';
import { Enforcement } from '../enforce/index.ts';
import { HashBanks, type ImageFetchOptions, ImageJudge, ImageSettings, imageFetchOptionsFromEnv } from '../images/index.ts';
import { IdempotencyKeys } from '../idempotency/index.ts';
import { ModerationService, Moderator, TenantModerationCache } from '../moderation/index.ts';
import { DeliveryWorker, type NotifyConfig, Subscriptions, announcePolicyPublished, notifyConfigFromEnv } from '../notify/index.ts';
import { PolicyRegistry, ThresholdOverrides } from '../policy/index.ts';
import { ReviewDesk } from '../review/index.ts';
import { ReReviewJobs, type ReReviewOptions, StoreSubmissions, type SubmissionNeedingReview, assertStoreChecks } from '../store/index.ts';
import { RuleHits, RuleRegistry } from '../rules/index.ts';
import { SpikeMonitor, TrendCounter } from '../trends/index.ts';
import { Tenancy, TenantRateLimits } from '../tenancy/index.ts';
import type { Tx } from '../db/index.ts';

/** The domains, wired together once (the composition root); the server and the CLI both start from here. */
export interface Services {
  store: Store;
  clock: Clock;
  audit: AuditLog;
  tenancy: Tenancy;
  /** Each tenant's requests per second per API key (the server's default unless its admin set one). */
  rateLimits: TenantRateLimits;
  policies: PolicyRegistry;
  moderation: Moderator;
  /** Tenants' overrides of the detection thresholds. */
  thresholds: ThresholdOverrides;
  /** The /v1/moderations use case: verdicts, and the side effects that follow them (enforcement and review plan them). */
  moderations: ModerationService;
  /** Answers kept for requests made with an `Idempotency-Key`. */
  idempotencyKeys: IdempotencyKeys;
  enforcement: Enforcement;
  review: ReviewDesk;
  /** Webhook and e-mail subscriptions, and the worker that delivers outbox events to them. */
  subscriptions: Subscriptions;
  deliveries: DeliveryWorker;
  /** Store submissions and the re-review jobs that policy publication schedules. */
  storeSubmissions: StoreSubmissions;
  reReviews: ReReviewJobs;
  /** Tenants' banks of known-image hashes, image settings, and the judge of images in moderation requests. */
  hashBanks: HashBanks;
  imageSettings: ImageSettings;
  images: ImageJudge;
  /** Tenants' rule versions (live and shadow) and the matches they record. */
  rules: RuleRegistry;
  ruleHits: RuleHits;
  /** Verdict counts per time bucket, and the monitor that finds spikes in them. */
  trends: TrendCounter;
  spikes: SpikeMonitor;
}

/** Settings for the background workers; read from the environment when absent. */
export interface ServiceOptions {
  notify?: NotifyConfig;
  reReview?: Partial<ReReviewOptions>;
  imageFetch?: ImageFetchOptions;
  /** Requests per second per API key for tenants that set none (`--rate-limit`, `WARDEN_RATE_LIMIT`); 1000 when absent. */
  rateLimitPerSecond?: number;
}

export const DEFAULT_RATE_LIMIT = 1000;

export function createServices(store: Store, clock: Clock = systemClock, options: ServiceOptions = {}): Services {
  const audit = new AuditLog(store, clock);
  const policies = new PolicyRegistry(store, audit, clock);
  const tenancy = new Tenancy(store, audit, clock);
  tenancy.created.subscribe(policies.seedTenant);
  const rateLimits = new TenantRateLimits(store, audit, clock, options.rateLimitPerSecond ?? DEFAULT_RATE_LIMIT);
  const enforcement = new Enforcement(store, audit, clock, policies, tenancy);
  const moderation = new Moderator(localDetection());
  const thresholds = new ThresholdOverrides(store, audit, clock);
  const moderationContexts = new TenantModerationCache(
    { policy: async (tenantId) => (await policies.current(tenantId)).document, overrides: (tenantId) => thresholds.get(tenantId) },
    moderation.defaultThresholds,
  );
  store.changes.changed.subscribe((tenantId) => moderationContexts.invalidate(tenantId));
  // Other processes' changes (another replica, the CLI) reach this one's caches within a poll.
  store.changes.watch();
  const review = new ReviewDesk(store, audit, clock, policies, enforcement);
  const notify = options.notify ?? notifyConfigFromEnv();
  const subscriptions = new Subscriptions(store, audit, clock, notify.delivery.allowPrivateNetworks ?? false);
  const deliveries = new DeliveryWorker(store, audit, clock, notify.mailer, notify.delivery);
  const hashBanks = new HashBanks(store, audit, clock, policies);
  const imageSettings = new ImageSettings(store, audit, clock);
  const images = new ImageJudge(hashBanks, imageSettings, options.imageFetch ?? imageFetchOptionsFromEnv());
  const storeSubmissions = new StoreSubmissions(store, audit, clock, policies, localDetection(), images);
  const reReviews = new ReReviewJobs(store, audit, clock, policies, localDetection(), options.reReview);
  // A submission that needs a person opens a review case in the transaction that decides it; the case's decision settles it.
  const queueForReview = async (tx: Tx, submission: SubmissionNeedingReview) => {
    await review.queueSubmissionReview(tx, submission);
  };
  storeSubmissions.needsReview.subscribe(queueForReview);
  reReviews.needsReview.subscribe(queueForReview);
  review.caseClosed.subscribe((tx, closed) => storeSubmissions.applyReviewFinding(tx, closed));
  // Every new appeal opens its review case in the appeal's transaction, away from whoever decided the original case.
  enforcement.appealOpened.subscribe(async (tx, appeal) => {
    await review.queueOpenedAppeal(tx, appeal);
  });
  policies.published.subscribe(announcePolicyPublished(clock));
  policies.published.subscribe(reReviews.schedule);
  // A store check naming a signal the store lacks refuses the publication (400, naming the path).
  policies.published.subscribe(async (_tx, { document }) => assertStoreChecks(document));
  const moderations = new ModerationService(moderation, moderationContexts, images, store, clock);
  // A moderation that names an account gives it strikes, and its results are offered to the review queue: both in one transaction.
  moderations.followUps.subscribe(enforcement.planModeration);
  moderations.followUps.subscribe(review.planModeration);
  const rules = new RuleRegistry(store, audit, clock);
  const ruleHits = new RuleHits(store, clock);
  const trends = new TrendCounter(store, clock);
  const spikes = new SpikeMonitor(store, clock);
  const idempotencyKeys = new IdempotencyKeys(store, clock);
  return { store, clock, audit, tenancy, rateLimits, policies, moderation, thresholds, moderations, idempotencyKeys, enforcement, review, subscriptions, deliveries, storeSubmissions, reReviews, hashBanks, imageSettings, images, rules, ruleHits, trends, spikes };
}
