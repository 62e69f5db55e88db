import { type Category, InvalidInput } from '../common/index.ts';
import { type PolicyDocument, type Severity, type Violation, effectiveSeverity } from '../policy/index.ts';
import type { BankMatch, HashBanks } from './banks.ts';
import { type ImageClassification, type ImageClassifier, ImageModelUnavailable } from './classifier.ts';
import { DEFAULT_IMAGE_LIMITS, type ImageFormat, type ImageLimits } from './decode.ts';
import { type HashedImage, type ImageHashes, hashImage } from './hashing.ts';
import type { ImageSettings } from './settings.ts';
import { type ImageFetchOptions, imageBytes } from './sources.ts';

/** Most image parts in one moderation request. */
export const MAX_IMAGES_PER_REQUEST = 8;

/** An `image_url` part of a moderation input, with the request field that carried it. */
export interface ImagePart {
  url: string;
  /** e.g. `input[1]`: errors and evidence name it. */
  param: string;
}

/** What Warden found in one image; the image itself is dropped once hashed. */
export interface ImageFinding {
  param: string;
  format: ImageFormat;
  width: number;
  height: number;
  /** Frames in the file; only the first was judged. */
  frames: number;
  hashes: Pick<ImageHashes, 'md5' | 'sha256' | 'pdq' | 'quality'>;
  matches: BankMatch[];
  /** The image model's scores; absent when this server runs without one, or when it could not be run. */
  classification?: ImageClassification;
  /** Why the image model did not score this image although the server has one (it failed to load, its thread died). */
  model_unavailable?: string;
}

/**
 * Evidence of a hash-bank match, shaped like the text detectors' evidence (detector, category, kind, score) so
 * violations carry both alike; `match` says which bank and hash, and how close.
 */
export interface ImageEvidence {
  detector: 'hash-bank';
  category: Category;
  kind: `${BankMatch['kind']}_match`;
  score: 1;
  input: string;
  match: { bank_id: string; bank_name: string; hash: string; distance: number; threshold: number; child_safety: boolean };
}

/**
 * Loads, decodes and hashes a request's images, matches them against the tenant's hash banks and, when the server
 * has an image model, classifies them.
 */
export class ImageJudge {
  constructor(
    private readonly banks: HashBanks,
    private readonly settings: ImageSettings,
    private readonly fetchOptions: ImageFetchOptions,
    private readonly limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
    /** Absent: images are matched against banks only (WARDEN_IMAGE_MODEL=off). */
    readonly classifier?: ImageClassifier,
  ) {}

  /**
   * Every image is loaded and decoded before any is matched, so a bad one refuses the request (400/413) whole.
   * Images are judged one at a time: decoding runs on libuv's thread pool, and a burst of large images should
   * queue rather than hold many decoded frames at once.
   */
  async judge(tenantId: string, parts: ImagePart[]): Promise<ImageFinding[]> {
    if (parts.length === 0) return [];
    if (parts.length > MAX_IMAGES_PER_REQUEST) {
      throw new InvalidInput(`Too many images: ${parts.length}; send at most ${MAX_IMAGES_PER_REQUEST} per request.`, 'input', 'too_many_images');
    }
    const fetchAllowed = parts.some((p) => !p.url.startsWith('data:')) && (await this.settings.get(tenantId)).fetch_urls;
    const hashed = [];
    for (const part of parts) {
      const bytes = await imageBytes(part.url, part.param, fetchAllowed, this.fetchOptions);
      const { image, hashes } = await hashImage(bytes, { limits: this.limits, param: part.param });
      hashed.push({ part, image, hashes });
    }
    const findings: ImageFinding[] = [];
    for (const { part, image, hashes } of hashed) {
      const { md5, sha256, pdq, quality } = hashes;
      const matches = await this.banks.match(tenantId, hashes);
      const { classification, unavailable } = this.classifier ? await classifyOrSay(this.classifier, image) : {};
      findings.push({
        param: part.param,
        format: image.format,
        width: image.width,
        height: image.height,
        frames: image.frames,
        hashes: { md5, sha256, pdq, quality },
        matches,
        ...(classification && { classification }),
        ...(unavailable && { model_unavailable: unavailable }),
      });
    }
    return findings;
  }
}

/** The image's classification, or why the model could not give one: without it the image is judged on banks alone. */
async function classifyOrSay(classifier: ImageClassifier, image: HashedImage['image']): Promise<{ classification?: ImageClassification; unavailable?: string }> {
  try {
    return { classification: await classifier.classify(image) };
  } catch (error) {
    if (error instanceof ImageModelUnavailable) return { unavailable: error.message };
    throw error;
  }
}

/**
 * The violations that bank matches are: each cites its bank's clause under the bank's category, with the match as
 * evidence. A bank's clause that the tenant's current policy no longer has is still cited (the bank is the
 * tenant's explicit decision), at the highest severity, so that a policy edit never silently turns a list off.
 */
export function bankViolations(findings: ImageFinding[], document: PolicyDocument): Violation<ImageEvidence>[] {
  const byClause = new Map<string, Violation<ImageEvidence>>();
  for (const finding of findings) {
    for (const match of finding.matches) {
      const key = `${match.clause_id}\n${match.category}`;
      const clause = document.clauses.find((c) => c.id === match.clause_id);
      const severity: Severity = clause ? effectiveSeverity(clause, match.category) : 'critical';
      const violation = byClause.get(key) ?? { clause_id: match.clause_id, category: match.category, severity, score: 1, threshold: 1, evidence: [] };
      violation.evidence.push({
        detector: 'hash-bank',
        category: match.category,
        kind: `${match.kind}_match`,
        score: 1,
        input: finding.param,
        match: { bank_id: match.bank_id, bank_name: match.bank_name, hash: match.hash, distance: match.distance, threshold: match.threshold, child_safety: match.child_safety },
      });
      byClause.set(key, violation);
    }
  }
  return [...byClause.values()];
}
