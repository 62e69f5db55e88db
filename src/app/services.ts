import { AuditLog } from '../audit/index.ts';
import { type Clock, systemClock } from '../common/index.ts';
import type { Store } from '../db/index.ts';
import { localDetection, localDetectionThread, localModelFingerprint } from '../detect/index.ts';
import { Enforcement } from '../enforce/index.ts';
import { HashBanks, type ImageClassifier, type ImageFetchOptions, ImageJudge, ImageSettings, imageClassifierFromEnv, imageFetchOptionsFromEnv } from '../images/index.ts';
import { IdempotencyKeys } from '../idempotency/index.ts';
import { JudgeCascade, type JudgeOptions, JudgeRegistry, JudgeWorker, judgeOptionsFromEnv } from '../judge/index.ts';
import { ModerationService, Moderator, TenantModerationCache } from '../moderation/index.ts';
import { DeliveryWorker, type NotifyConfig, Subscriptions, announcePolicyPublished, notifyConfigFromEnv } from '../notify/index.ts';
import { PolicyRegistry, ThresholdOverrides } from '../policy/index.ts';
import { ReviewDesk } from '../review/index.ts';
import { ReReviewJobs, type ReReviewOptions, StoreSubmissions, type SubmissionNeedingReview, assertStoreChecks } from '../store/index.ts';
import { LiveRules, RuleHits, RuleRegistry, planRuleNotifications } from '../rules/index.ts';
import { SpikeMonitor, TrendCounter, countModerations } from '../trends/index.ts';
import { Tenancy, TenantRateLimits } from '../tenancy/index.ts';
import { ShadowTallies, TenantModels, TrainingExamples, isHeldOut } from '../learning/index.ts';
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
  /** Labelled examples from the tenant's decisions, the tenant models trained from them, and their shadow tallies. */
  trainingExamples: TrainingExamples;
  tenantModels: TenantModels;
  shadowTallies: ShadowTallies;
  /** Tenants' LLM judges, the cascade stage that asks them, and the worker for background judgements. */
  judges: JudgeRegistry;
  judgeCascade: JudgeCascade;
  judgeWorker: JudgeWorker;
}

/** Settings for the background workers; read from the environment when absent. */
export interface ServiceOptions {
  notify?: NotifyConfig;
  reReview?: Partial<ReReviewOptions>;
  imageFetch?: ImageFetchOptions;
  /** The image model; `null` runs without one (bank matching only). Default: WARDEN_IMAGE_MODEL. */
  imageClassifier?: ImageClassifier | null;
  judge?: Partial<JudgeOptions>;
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
  // Long inputs are detected on a worker thread, so that one request cannot hold the event loop (the thread starts on first use).
  const moderation = new Moderator(localDetection(), localDetectionThread());
  const thresholds = new ThresholdOverrides(store, audit, clock);
  const shadowTallies = new ShadowTallies(store, clock);
  const trainingExamples = new TrainingExamples(store, audit, clock, isHeldOut);
  // Tenant models read the tenants' effective thresholds from the moderation cache, which reads their models: the closure below closes the cycle.
  const moderationContexts: TenantModerationCache = new TenantModerationCache(
    {
      policy: async (tenantId) => (await policies.current(tenantId)).document,
      overrides: (tenantId) => thresholds.get(tenantId),
      models: async (tenantId) => {
        const { active, shadow } = await tenantModels.runtime(tenantId);
        return {
          model: active,
          shadow: shadow && { model: shadow, observe: (text, served, candidate, categories) => shadowTallies.observe(tenantId, shadow.id, text, served, candidate, categories) },
        };
      },
    },
    moderation.defaultThresholds,
  );
  const baseModel = { id: localModelFingerprint(), thresholds: moderation.defaultThresholds, score: (text: string) => moderation.detection.detect(text).scores };
  const tenantModels: TenantModels = new TenantModels(store, audit, clock, trainingExamples, baseModel, shadowTallies, async (tenantId) => (await moderationContexts.get(tenantId)).thresholds);
  store.changes.changed.subscribe((tenantId) => moderationContexts.invalidate(tenantId));
  // Other processes' changes (another replica, the CLI) reach this one's caches within a poll.
  store.changes.watch();
  const review = new ReviewDesk(store, audit, clock, policies, enforcement);
  const notify = options.notify ?? notifyConfigFromEnv();
  const subscriptions = new Subscriptions(store, audit, clock, notify.delivery.allowPrivateNetworks ?? false);
  const deliveries = new DeliveryWorker(store, audit, clock, notify.mailer, notify.delivery);
  const hashBanks = new HashBanks(store, audit, clock, policies);
  const imageSettings = new ImageSettings(store, audit, clock);
  const classifier = options.imageClassifier === undefined ? imageClassifierFromEnv() : (options.imageClassifier ?? undefined);
  const images = new ImageJudge(hashBanks, imageSettings, options.imageFetch ?? imageFetchOptionsFromEnv(), undefined, classifier);
  const storeSubmissions = new StoreSubmissions(store, audit, clock, policies, localDetection(), images);
  const reReviews = new ReReviewJobs(store, audit, clock, policies, localDetection(), options.reReview, hashBanks);
  // A submission that needs a person opens a review case in the transaction that decides it; the case's decision settles it.
  const queueForReview = async (tx: Tx, submission: SubmissionNeedingReview) => {
    await review.queueSubmissionReview(tx, submission);
  };
  storeSubmissions.needsReview.subscribe(queueForReview);
  reReviews.needsReview.subscribe(queueForReview);
  review.caseClosed.subscribe((tx, closed) => storeSubmissions.applyReviewFinding(tx, closed));
  // Every final decision about content becomes the tenant's labelled example, in the decision's transaction.
  review.contentDecided.subscribe(trainingExamples.recordDecision);
  // Every new appeal opens its review case in the appeal's transaction, away from whoever decided the original case.
  enforcement.appealOpened.subscribe(async (tx, appeal) => {
    await review.queueOpenedAppeal(tx, appeal);
  });
  policies.published.subscribe(announcePolicyPublished(clock));
  policies.published.subscribe(reReviews.schedule);
  hashBanks.changed.subscribe(reReviews.scheduleForBankChange);
  // A store check naming a signal the store lacks refuses the publication (400, naming the path).
  policies.published.subscribe(async (_tx, { document }) => assertStoreChecks(document));
  const judgeOptions: JudgeOptions = { ...judgeOptionsFromEnv(), ...options.judge };
  const judges = new JudgeRegistry(store, audit, clock, judgeOptions.secrets, async (tenantId) => (await policies.current(tenantId)).document, {
    allowPrivateNetworks: judgeOptions.allowPrivateNetworks,
    resolve: judgeOptions.resolve,
  });
  store.changes.changed.subscribe((tenantId) => judges.invalidate(tenantId));
  const judgeCascade = new JudgeCascade(store, clock, judges, judgeOptions.log);
  const judgeWorker = new JudgeWorker(
    store,
    clock,
    judgeCascade,
    {
      policy: async (tenantId, version) => (await policies.get(tenantId, version)).document,
      thresholds: async (tenantId) => (await moderationContexts.get(tenantId)).thresholds,
      judge: (tenantId, id) => judges.byId(tenantId, id),
    },
    16,
    judgeOptions.workerPollMs,
  );
  // A judgement delivered later that the judge is unsure of goes to the review queue, with its rationale.
  judgeWorker.unsure.subscribe(review.fileJudged);
  const moderations = new ModerationService(moderation, moderationContexts, images, store, clock, judgeCascade);
  const rules = new RuleRegistry(store, audit, clock);
  store.changes.changed.subscribe((tenantId) => rules.invalidate(tenantId));
  const ruleHits = new RuleHits(store, clock);
  const trends = new TrendCounter(store, clock);
  // The tenant's live rules amend the verdicts before the response is built (shadow rules are only recorded) ...
  moderations.verdictStages.subscribe(new LiveRules(rules, ruleHits, store.db).stage);
  // ... then a moderation that names an account gives it strikes, and its results are offered to the review queue: both in one transaction.
  moderations.followUps.subscribe(enforcement.planModeration);
  moderations.followUps.subscribe(review.planModeration);
  moderations.followUps.subscribe(planRuleNotifications(clock));
  moderations.followUps.subscribe(countModerations(trends, clock));
  const spikes = new SpikeMonitor(store, clock);
  const idempotencyKeys = new IdempotencyKeys(store, clock);
  return { store, clock, audit, tenancy, rateLimits, policies, moderation, thresholds, moderations, idempotencyKeys, enforcement, review, subscriptions, deliveries, storeSubmissions, reReviews, hashBanks, imageSettings, images, rules, ruleHits, trends, spikes, trainingExamples, tenantModels, shadowTallies, judges, judgeCascade, judgeWorker };
}
