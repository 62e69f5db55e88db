import type { Category } from '../common/index.ts';
import { type BankMatch, type ImageClassification, type ImageFinding, type ImagePart, IMAGE_MODEL_CATEGORIES, MAX_IMAGES_PER_REQUEST } from '../images/index.ts';
import type { PolicyDocument } from '../policy/index.ts';
import { checkFor } from './checks.ts';
import { type Decision, type Reason, appliesToStoreApp } from './evaluate.ts';

/**
 * What store review needs of the images domain: a listing's images loaded, hashed, matched against banks and
 * classified by the image model, exactly as a moderation's images are.
 */
export interface StoreImageJudge {
  judge(tenantId: string, parts: ImagePart[]): Promise<ImageFinding[]>;
}

/** What judging a listing's images found, as the decision takes it: bank matches, and the model's scores if any. */
export type ListingImageFinding = Pick<ImageFinding, 'param' | 'matches' | 'classification'>;

/**
 * What re-review needs of the images domain: a kept image's hashes matched against the tenant's banks as they are
 * now (the bytes are gone; the hashes are all there is).
 */
export interface StoredImageMatcher {
  match(tenantId: string, hashes: { md5: string; sha256: string; pdq: string }): Promise<BankMatch[]>;
}

/** A listing's kept images matched against the banks as they are now, as findings {@link withImageReasons} takes. */
export async function storedImageFindings(matcher: StoredImageMatcher | undefined, tenantId: string, images: SubmissionImage[]): Promise<ListingImageFinding[]> {
  const findings: ListingImageFinding[] = [];
  for (const image of images) {
    // The kept scores are judged again against the policy as it is now; the bytes are gone, so no new scores.
    const matches = matcher ? await matcher.match(tenantId, image) : [];
    findings.push({ param: image.field, matches, ...(image.classification && { classification: image.classification }) });
  }
  return findings;
}

/** An image of a listing as the submission keeps it: its hashes and size, never its bytes. */
export interface SubmissionImage {
  field: string;
  format: string;
  width: number;
  height: number;
  pdq: string;
  quality: number;
  md5: string;
  sha256: string;
  /** The image model's scores when it judged the image (kept: re-review judges them again, the reviewer sees them). */
  classification?: ImageClassification;
  /** Why the image model did not score it although the server has one. */
  model_unavailable?: string;
}

/** A listing's icon and screenshots, as image URLs (data URLs, or http(s) where the tenant allows fetching). */
export interface ListingImages {
  icon?: string;
  screenshots?: string[];
}

/** Screenshots a listing may carry besides its icon. */
export const MAX_SCREENSHOTS = MAX_IMAGES_PER_REQUEST - 1;

export function listingImageParts(input: ListingImages): ImagePart[] {
  const parts: ImagePart[] = input.icon === undefined ? [] : [{ url: input.icon, param: 'icon' }];
  (input.screenshots ?? []).forEach((url, index) => parts.push({ url, param: `screenshots[${index}]` }));
  return parts;
}

export function submissionImages(findings: ImageFinding[]): SubmissionImage[] {
  return findings.map(({ param, format, width, height, hashes, classification, model_unavailable }) => ({
    field: param,
    format,
    width,
    height,
    ...hashes,
    ...(classification && { classification }),
    ...(model_unavailable && { model_unavailable }),
  }));
}

/** The image model's findings as texts a reviewer reads beside the listing's fields (the case's evidence). */
export function imageEvidenceTexts(images: SubmissionImage[] = []): { field: string; text: string }[] {
  return images.flatMap((image) => {
    if (image.model_unavailable) return [{ field: image.field, text: `Image not scored by the image model (${image.model_unavailable}); hash banks only. PDQ ${image.pdq}.` }];
    const c = image.classification;
    if (!c) return [];
    const classes = Object.entries(c.classes).map(([name, p]) => `${name} ${p.toFixed(3)}`).join(', ');
    const scores = Object.entries(c.scores).map(([category, score]) => `${category} ${score.toFixed(3)}`).join(', ');
    return [{ field: image.field, text: `Image model ${c.model}: ${scores} (${classes}). PDQ ${image.pdq}.` }];
  });
}

/**
 * A bank match in a listing's image rejects it, citing the bank's clause; the reason names the image field and
 * the bank, and carries no excerpt (there is no text to quote).
 */
export function withImageReasons(decision: Decision, findings: ListingImageFinding[], document: PolicyDocument, thresholds: Readonly<Partial<Record<Category, number>>>, surface: 'gpts' | 'api'): Decision {
  const matched: Reason[] = findings.flatMap((finding) =>
    finding.matches.map((match) => ({
      clause_id: match.clause_id,
      outcome: 'rejected' as const,
      check: 'detector' as const,
      reason: `The image matches a known image in hash bank "${match.bank_name}" (${match.kind}, distance ${match.distance} of at most ${match.threshold}).`,
      field: finding.param,
      span: null,
      excerpt: null,
      source: `hash_bank:${match.bank_id}`,
      category: match.category,
    })),
  );
  const reasons = [...decision.reasons, ...matched, ...modelReasons(findings, document, thresholds, surface)];
  if (reasons.length === decision.reasons.length) return decision;
  const status = reasons.some((r) => r.outcome === 'rejected') ? 'rejected' : 'needs_review';
  return { ...decision, status, reasons };
}

/**
 * The image model's scores judged as the text detector's are: a category scored at or over its threshold cites
 * every detector-checked clause of the listing that covers the category, with that clause's outcome (most reject,
 * some send the app to a person).
 */
function modelReasons(findings: ListingImageFinding[], document: PolicyDocument, thresholds: Readonly<Partial<Record<Category, number>>>, surface: 'gpts' | 'api'): Reason[] {
  const reasons: Reason[] = [];
  for (const { param, classification } of findings) {
    if (!classification) continue;
    for (const category of IMAGE_MODEL_CATEGORIES) {
      const score = classification.scores[category];
      const threshold = thresholds[category];
      if (threshold === undefined || score < threshold) continue;
      for (const clause of document.clauses) {
        const check = checkFor(clause);
        if (!appliesToStoreApp(clause, surface) || check.check !== 'detector' || !clause.categories.includes(category)) continue;
        reasons.push({
          clause_id: clause.id,
          outcome: check.outcome,
          check: 'detector',
          reason: `${check.reason} The image model scores the image ${score.toFixed(3)} for ${category} (threshold ${threshold}).`,
          field: param,
          span: null,
          excerpt: null,
          source: `detector:image-model(${classification.model})`,
          category,
        });
      }
    }
  }
  return reasons;
}
