import type { DetectionResult, LanguageVerdict } from './engine.ts';
import type { CategoryScores, Evidence } from './types.ts';

/** What `Detection` says about one input: each part's detection, and the language of the parts joined by newlines. */
export interface InputAnalysis {
  detections: DetectionResult[];
  language: LanguageVerdict | undefined;
}

/**
 * Analyses as the detection worker sends them back: structured-cloning a scores object writes each of its
 * (about 30) keys, and reading it back builds the object key by key, which for short texts costs a good part
 * of what detecting them does. Here every detection's scores are numbers in one Float64Array, in the order of
 * a key list ("shape") sent once per worker; evidence, rare, goes as it is.
 */
export interface PackedAnalyses {
  /** Shapes first used in this message, as [shape id, keys in the scores object's order]. */
  newShapes: [number, string[]][];
  /** Per analysis: how many detections (its parts). */
  parts: number[];
  /** Per detection: its scores' shape, or -1 when its scores are in `rawScores` (a value that is not a number). */
  shapes: number[];
  /** The scores of every shaped detection, in order, each in its shape's key order. */
  scores: Float64Array;
  rawScores: CategoryScores[];
  /** [detection index, its evidence] for each detection with any. */
  evidence: [number, Evidence[]][];
  /** Per analysis: its language (null for none). */
  languages: (LanguageVerdict | null)[];
}

/** Packs analyses on the worker's side; keeps the shapes it has sent (the decoder on the other side keeps them too). */
export class AnalysisEncoder {
  private readonly shapes = new Map<string, number>();
  /** The last shape matched, and its keys: consecutive detections mostly share it. */
  private lastKeys: string[] = [];
  private lastShape = -1;

  encode(analyses: readonly InputAnalysis[]): PackedAnalyses {
    const packed: PackedAnalyses = { newShapes: [], parts: [], shapes: [], scores: new Float64Array(0), rawScores: [], evidence: [], languages: [] };
    const values: number[] = [];
    let detection = 0;
    for (const analysis of analyses) {
      packed.parts.push(analysis.detections.length);
      packed.languages.push(analysis.language ?? null);
      for (const { scores, evidence } of analysis.detections) {
        const shape = this.shapeOf(scores, packed.newShapes);
        packed.shapes.push(shape);
        if (shape < 0) packed.rawScores.push(scores);
        else for (const key of this.lastKeys) values.push(scores[key as keyof CategoryScores]!);
        if (evidence.length > 0) packed.evidence.push([detection, evidence]);
        detection += 1;
      }
    }
    packed.scores = Float64Array.from(values);
    return packed;
  }

  /** The shape of `scores` (registered in `newShapes` if new; this.lastKeys its keys), or -1 for scores that are not all numbers. */
  private shapeOf(scores: CategoryScores, newShapes: [number, string[]][]): number {
    const keys = Object.keys(scores);
    for (const key of keys) if (typeof scores[key as keyof CategoryScores] !== 'number') return -1;
    if (!sameKeys(keys, this.lastKeys)) {
      const name = keys.join('\u0000');
      let shape = this.shapes.get(name);
      if (shape === undefined) {
        shape = this.shapes.size;
        this.shapes.set(name, shape);
        newShapes.push([shape, keys]);
      }
      this.lastKeys = keys;
      this.lastShape = shape;
    }
    return this.lastShape;
  }
}

/** Unpacks what an AnalysisEncoder packed, into analyses equal to the ones it was given (same keys in the same order). */
export class AnalysisDecoder {
  private readonly shapes: string[][] = [];

  decode(packed: PackedAnalyses): InputAnalysis[] {
    for (const [shape, keys] of packed.newShapes) this.shapes[shape] = keys;
    const evidence = new Map(packed.evidence);
    const analyses: InputAnalysis[] = [];
    let detection = 0;
    let value = 0;
    let raw = 0;
    packed.parts.forEach((parts, a) => {
      const detections: DetectionResult[] = [];
      for (let p = 0; p < parts; p++, detection++) {
        const shape = packed.shapes[detection]!;
        let scores: CategoryScores;
        if (shape < 0) scores = packed.rawScores[raw++]!;
        else {
          scores = {};
          for (const key of this.shapes[shape]!) scores[key as keyof CategoryScores] = packed.scores[value++]!;
        }
        detections.push({ scores, evidence: evidence.get(detection) ?? [] });
      }
      analyses.push({ detections, language: packed.languages[a] ?? undefined });
    });
    return analyses;
  }
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
