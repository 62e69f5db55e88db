import { type BankMatch, type ImageFinding, type ImagePart, MAX_IMAGES_PER_REQUEST } from '../images/index.ts';
import type { Decision, Reason } from './evaluate.ts';

/** What store review needs of the images domain: a listing's images loaded, hashed and matched against banks (not classified). */
export interface StoreImageJudge {
  judge(tenantId: string, parts: ImagePart[], options: { classify: false }): Promise<ImageFinding[]>;
}

/**
 * What re-review needs of the images domain: a kept image's hashes matched against the tenant's banks as they are
 * now (the bytes are gone; the hashes are all there is).
 */
export interface StoredImageMatcher {
  match(tenantId: string, hashes: { md5: string; sha256: string; pdq: string }): Promise<BankMatch[]>;
}

/** A listing's kept images matched against the banks as they are now, as findings {@link withImageReasons} takes. */
export async function storedImageFindings(matcher: StoredImageMatcher, tenantId: string, images: SubmissionImage[]): Promise<Pick<ImageFinding, 'param' | 'matches'>[]> {
  const findings: Pick<ImageFinding, 'param' | 'matches'>[] = [];
  for (const image of images) findings.push({ param: image.field, matches: await matcher.match(tenantId, image) });
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
  return findings.map(({ param, format, width, height, hashes }) => ({ field: param, format, width, height, ...hashes }));
}

/**
 * A bank match in a listing's image rejects it, citing the bank's clause; the reason names the image field and
 * the bank, and carries no excerpt (there is no text to quote).
 */
export function withImageReasons(decision: Decision, findings: Pick<ImageFinding, 'param' | 'matches'>[]): Decision {
  const reasons: Reason[] = findings.flatMap((finding) =>
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
  if (reasons.length === 0) return decision;
  return { ...decision, status: 'rejected', reasons: [...decision.reasons, ...reasons] };
}
