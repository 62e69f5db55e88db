import { describe, expect, it } from 'vitest';
import { localDetection } from '../detect/index.ts';
import { bundledPolicies } from '../policy/index.ts';
import { type SubmissionFields, evaluateSubmission } from './evaluate.ts';
import { type ListingImageFinding, withImageReasons } from './images.ts';

const seed = bundledPolicies().find((doc) => doc.version === '2024-01-10')!;
const detector = localDetection();
const fields: SubmissionFields = {
  name: 'Recipe Helper',
  description: 'Suggests weeknight dinners.',
  instructions: 'Suggest three simple recipes.',
  conversation_starters: [],
  audience: 'everyone',
  category: 'lifestyle',
  surface: 'gpts',
};

/** A finding as the image judge returns it, with the image model's scores for one image. */
const scored = (sexual: number): ListingImageFinding => ({
  param: 'icon',
  matches: [],
  classification: { model: 'nsfwjs-4.4.0/mobilenet_v2', classes: { drawing: 0, hentai: 0, neutral: 1 - sexual, porn: sexual, sexy: 0 }, scores: { sexual } },
});

describe("a listing image's classification in the store decision", () => {
  const text = evaluateSubmission(fields, seed, detector);

  it("a sexual score at the detector's threshold or over cites the clauses that cover sexual content, on the image's field", () => {
    const decision = withImageReasons(text, [scored(0.95)], seed, detector.thresholds, 'gpts');
    expect(decision.status).toBe('rejected');
    const reasons = decision.reasons.filter((r) => r.field === 'icon');
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) {
      expect(reason).toMatchObject({ check: 'detector', category: 'sexual', source: 'detector:image-model(nsfwjs-4.4.0/mobilenet_v2)', span: null, excerpt: null });
      expect(seed.clauses.find((c) => c.id === reason.clause_id)!.categories).toContain('sexual');
      expect(reason.reason).toContain('The image model scores the image 0.950 for sexual');
    }
  });

  it('a score under the threshold changes nothing', () => {
    expect(withImageReasons(text, [scored(detector.thresholds.sexual! - 0.01)], seed, detector.thresholds, 'gpts')).toEqual(text);
  });
});
