import type { EvidenceSpan } from './api.ts';

/** The content with the classifier's evidence spans marked. Everything is rendered as text: React escapes it. */
export function Highlighted({ text, spans }: { text: string; spans: EvidenceSpan[] }) {
  const located = spans
    .filter((s): s is EvidenceSpan & { span: [number, number] } => Array.isArray(s.span) && s.span[0] < s.span[1] && s.span[1] <= text.length)
    .sort((a, b) => a.span[0] - b.span[0]);
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (const evidence of located) {
    const [start, end] = evidence.span;
    if (start < at) continue;
    if (start > at) parts.push(text.slice(at, start));
    parts.push(
      <mark key={start} title={[evidence.category, evidence.kind].filter(Boolean).join(': ')}>
        {text.slice(start, end)}
      </mark>,
    );
    at = end;
  }
  parts.push(text.slice(at));
  return <p className="content-text">{parts}</p>;
}
