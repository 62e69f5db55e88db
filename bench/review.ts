/**
 * Review queue operations' latency, in process through the review domain on a real database:
 * filing a report (new case and merge), listing the top of the queue over a backlog, claiming,
 * and deciding (no_violation, and violation, which records an enforcement event).
 *
 *   npm run bench:review -- [--json] [--backlog N] [--ops N] [--db postgres://…]
 *
 * Without --db it runs on a fresh SQLite file in a temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../src/db/index.ts';
import type { Reviewer } from '../src/review/index.ts';
import { createServices } from '../src/app/index.ts';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    backlog: { type: 'string', default: '2000' },
    ops: { type: 'string', default: '300' },
    db: { type: 'string' },
  },
});
const backlog = Number(values.backlog);
const ops = Number(values.ops);

const dir = values.db ? null : mkdtempSync(join(tmpdir(), 'warden-bench-review-'));
const store = await openStore(values.db ?? `sqlite:${join(dir!, 'bench.db')}`);
const services = createServices(store);
const tenant = await services.tenancy.ensureTenant(`bench-${Date.now()}`, 'bench');
const reviewers: Reviewer[] = ['alice', 'bob'].map((name) => ({ tenantId: tenant.id, actor: `bench:${name}`, role: 'reviewer' }));
const clauses = ['universal.2', 'universal.3', 'api.3.3', 'chatgpt.1.1'];
let seq = 0;

function report(target: string) {
  seq += 1;
  return {
    idempotency_key: `bench-${seq}`,
    reporter: `user-${seq % 97}`,
    target: { account: `acct-${seq % 500}`, content: { text: target, type: 'text' as const } },
    clause_id: clauses[seq % clauses.length]!,
    text: 'reported by the benchmark',
  };
}

async function timed<T>(samples: number[], run: () => Promise<T>): Promise<T> {
  const start = process.hrtime.bigint();
  const result = await run();
  samples.push(Number(process.hrtime.bigint() - start) / 1000);
  return result;
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  return { n: sorted.length, p50_us: at(0.5), p90_us: at(0.9), p99_us: at(0.99), mean_us: Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length) };
}

for (let i = 0; i < backlog; i += 1) await services.review.fileReport(tenant.id, report(`backlog item ${i}`), 'bench');

const samples = { report_new_case: [] as number[], report_merge: [] as number[], queue_top50: [] as number[], claim: [] as number[], decide_no_violation: [] as number[], decide_violation: [] as number[] };
const opened: string[] = [];
for (let i = 0; i < ops; i += 1) {
  const filed = await timed(samples.report_new_case, () => services.review.fileReport(tenant.id, report(`fresh item ${i}`), 'bench'));
  opened.push(filed.caseId);
  await timed(samples.report_merge, () => services.review.fileReport(tenant.id, report(`fresh item ${i}`), 'bench'));
  await timed(samples.queue_top50, () => services.review.queue(reviewers[0]!, { status: 'unresolved', limit: 50 }));
}
for (const [i, caseId] of opened.entries()) {
  const reviewer = reviewers[i % 2]!;
  await timed(samples.claim, () => services.review.claim(reviewer, caseId));
  if (i % 2 === 0) await timed(samples.decide_no_violation, () => services.review.decide(reviewer, caseId, { outcome: 'no_violation' }));
  else await timed(samples.decide_violation, () => services.review.decide(reviewer, caseId, { outcome: 'violation', clause_ids: ['universal.3'] }));
}

const result = {
  backend: store.dialect,
  backlog_cases: backlog,
  operations: Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, summary(s)])),
};
await store.close();
if (dir) rmSync(dir, { recursive: true, force: true });

if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  process.stdout.write(`review queue latency on ${result.backend}, backlog ${backlog} cases\n`);
  for (const [name, s] of Object.entries(result.operations)) process.stdout.write(`  ${name.padEnd(22)} p50 ${s.p50_us} µs  p90 ${s.p90_us} µs  p99 ${s.p99_us} µs  (n=${s.n})\n`);
}
