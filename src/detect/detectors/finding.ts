import type { Evidence } from '../types.ts';

/** A match of a deterministic detector: certain, so it scores 1. */
export function finding(detector: string, category: Evidence['category'], kind: string, start: number, end: number): Evidence {
  return { detector, category, kind, span: [start, end], score: 1 };
}
