import { MODERATION_CATEGORIES, type ModerationCategory, WARDEN_CATEGORIES, type WardenCategory } from '../common/index.ts';
import { type ImageFinding, type ImagePart, bankViolations } from '../images/index.ts';
import type { PolicyDocument } from '../policy/index.ts';
import { type ModerationResult, type ModerationWarning, decidedBy } from './moderator.ts';

/** What the moderation use case needs of the images domain. */
export interface ImageModeration {
  judge(tenantId: string, parts: ImagePart[]): Promise<ImageFinding[]>;
}

/** An image as the result's `warden.images` shows it: what was judged, and its hashes (for banking it). */
export interface ImageSummary {
  input: string;
  format: string;
  width: number;
  height: number;
  /** Frames in the file; an animated image is judged on its first frame only. */
  frames: number;
  hashes: { pdq: string; quality: number; md5: string; sha256: string };
  bank_matches: number;
}

const moderationCategories = new Set<string>(MODERATION_CATEGORIES);
const wardenCategories = new Set<string>(WARDEN_CATEGORIES);

/**
 * Adds what the images of one input showed to its result: each hash-bank match is a violation of the bank's clause
 * (its category flagged, scored 1, with `image` among its applied input types), and the images' summaries. No
 * classifier scores images for the other categories: a warning names them rather than leaving a silent 0.
 */
export function withImageFindings(result: ModerationResult, findings: ImageFinding[], document: PolicyDocument): ModerationResult {
  if (findings.length === 0) return result;
  const violations = bankViolations(findings, document);
  const next = structuredClone(result);
  for (const violation of violations) {
    const category = violation.category;
    if (moderationCategories.has(category)) {
      const c = category as ModerationCategory;
      next.categories[c] = true;
      next.category_scores[c] = 1;
      next.category_applied_input_types[c] = [...new Set([...next.category_applied_input_types[c], 'image' as const])];
    } else if (wardenCategories.has(category)) {
      next.warden.categories[category as WardenCategory] = true;
      next.warden.category_scores[category as WardenCategory] = 1;
    }
    next.warden.violations.push(violation);
    next.warden.evidence.push(...violation.evidence);
  }
  next.flagged = MODERATION_CATEGORIES.some((c) => next.categories[c]);
  next.warden.flagged = next.warden.violations.length > 0;
  next.warden.decided_by = decidedBy(next.warden.violations);
  next.warden.images = findings.map(summary);
  next.warden.warnings.push(unscoredImages());
  return next;
}

function summary(finding: ImageFinding): ImageSummary {
  const { param, format, width, height, frames, hashes, matches } = finding;
  return { input: param, format, width, height, frames, hashes: { pdq: hashes.pdq, quality: hashes.quality, md5: hashes.md5, sha256: hashes.sha256 }, bank_matches: matches.length };
}

function unscoredImages(): ModerationWarning {
  return {
    code: 'image_categories_unscored',
    message:
      "Images were matched against this tenant's hash banks only: no image classifier scores them, so the categories' scores come from the text parts alone (a 0 is not a verdict on the image). category_applied_input_types lists \"image\" for the categories a bank matched.",
  };
}
