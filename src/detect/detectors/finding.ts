import type { Evidence } from '../types.ts';

/** How many ASCII digits the text holds: detectors of numbers skip texts with too few to hold one. */
export function digitCount(text: string): number {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) digits += 1;
  }
  return digits;
}

/** A match of a deterministic detector: certain, so it scores 1. */
export function finding(detector: string, category: Evidence['category'], kind: string, start: number, end: number): Evidence {
  return { detector, category, kind, span: [start, end], score: 1 };
}
