/** A bank match on an image's evidence. */
export interface BankMatch {
  bank_id: string;
  bank_name: string;
  hash: string;
  distance: number;
  threshold: number;
  child_safety: boolean;
}

/** One finding, from a text detector (`span`, `part`) or an image's hash-bank match (`input`, `match`). */
export interface WireEvidence {
  detector: string;
  category: string;
  kind: string;
  score: number;
  span?: [number, number];
  part?: number;
  input?: string;
  match?: BankMatch;
}

export interface WireImageSummary {
  input: string;
  format: string;
  width: number;
  height: number;
  frames: number;
  hashes: { pdq: string; quality: number; md5: string; sha256: string };
  bank_matches: number;
  /** The image model's classes and the scores mapped from them, when it classified the image. */
  classification?: { model: string; classes: Record<string, number>; scores: { sexual: number } };
}

/**
 * One result of `POST /v1/moderations` as it arrives on the wire: OpenAI's fields (which the `openai` SDK types) and
 * Warden's `warden` extension (which it does not). Cast an SDK result to it to read the extension.
 */
export interface WardenResult {
  flagged: boolean;
  categories: Record<string, boolean>;
  category_scores: Record<string, number>;
  category_applied_input_types: Record<string, string[]>;
  warden: {
    flagged: boolean;
    policy_version: string;
    surface: string;
    violations: { clause_id: string; category: string; severity: string; score: number; threshold: number; evidence: WireEvidence[] }[];
    categories: Record<string, boolean>;
    category_scores: Record<string, number>;
    evidence: WireEvidence[];
    language?: { code: string; confidence: number; supported: boolean };
    warnings: { code: string; message: string; categories?: string[] }[];
    images?: WireImageSummary[];
  };
}
