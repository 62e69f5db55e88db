/**
 * The cascade's plumbing on a labelled file, against a scripted judge (no real LLM).
 *
 *   npm run bench:judge -- --data data/dev.jsonl [--limit 2000] [--accuracy 0.9] [--latency-ms 20] [--json]
 *
 * A fake OpenAI-compatible chat server on loopback knows each item's label and answers correctly
 * with probability `--accuracy` (a deterministic choice per text), after `--latency-ms`. Warden's
 * real path runs against it: a tenant's judge stored through the registry (SQLite in a temp
 * directory), the prompt from the bundled policy, the guarded HTTP call, answer validation, and
 * `evaluateCascade` (local alone, judge alone, the cascade in `band` mode with the default band).
 * The figures prove the plumbing — how the cascade mixes two deciders and how much it sends to the
 * judge — not what a real judge would score.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createServices } from '../src/app/index.ts';
import { type LabelledItem, parseLabelledJsonl, seededRandom } from '../src/detect/index.ts';
import { openStore } from '../src/db/index.ts';
import { SecretBox, evaluateCascade, judgeInputSchema } from '../src/judge/index.ts';
import { effectiveThresholds } from '../src/policy/index.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    limit: { type: 'string', default: '2000' },
    accuracy: { type: 'string', default: '0.9' },
    'latency-ms': { type: 'string', default: '20' },
    json: { type: 'boolean', default: false },
  },
});
if (!values.data) throw new Error('give --data FILE.jsonl (e.g. data/dev.jsonl from npm run data)');
const accuracy = Number(values.accuracy);
const latencyMs = Number(values['latency-ms']);

const all = parseLabelledJsonl(readFileSync(values.data, 'utf8'));
const random = seededRandom(16);
const items = all
  .map((item) => ({ item, key: random() }))
  .sort((a, b) => a.key - b.key)
  .slice(0, Number(values.limit))
  .map(({ item }) => item);
const byText = new Map<string, LabelledItem>(items.map((item) => [item.text, item]));

/** Right with probability `accuracy`, decided by the text's digest (the same text always gets the same answer). */
function rightAbout(text: string): boolean {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32 < accuracy;
}

function scriptedAnswer(system: string, text: string): string {
  const item = byText.get(text);
  const clauses = [...system.matchAll(/^## ([a-z0-9._-]+): .*\nCategories: (.*)$/gm)].map((m) => ({ id: m[1]!, categories: m[2]!.split(', ') }));
  const violated = item ? item.flagged === rightAbout(text) : false;
  const positives = Object.entries(item?.labels ?? {}).filter(([, v]) => v).map(([k]) => k);
  const matching = clauses.filter((c) => c.categories.some((k) => positives.includes(k)));
  const chosen = violated ? (matching.length ? matching : clauses.filter((c) => c.id === 'universal.3')) : [];
  return JSON.stringify({ verdicts: chosen.map((c) => ({ clause_id: c.id, violated: true, confidence: 0.9 })), rationale: violated ? 'scripted: violates' : 'scripted: fine' });
}

const fake = createServer((req: IncomingMessage, res: ServerResponse) => {
  let raw = '';
  req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
  req.on('end', () => {
    const body = JSON.parse(raw) as { messages: { role: string; content: string }[] };
    const user = body.messages.find((m) => m.role === 'user')!.content;
    const text = JSON.parse(user.slice(user.indexOf('\n') + 1)) as string;
    const content = scriptedAnswer(body.messages[0]!.content, text);
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ finish_reason: 'stop', message: { role: 'assistant', content } }] })), latencyMs);
  });
});
await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/v1`;

const dir = mkdtempSync(join(tmpdir(), 'warden-judge-bench-'));
const store = await openStore(`sqlite:${join(dir, 'warden.db')}`);
try {
  const quiet = { warn: () => undefined, info: () => undefined };
  const services = createServices(store, undefined, { judge: { secrets: new SecretBox(null), allowPrivateNetworks: true, log: quiet } });
  await services.tenancy.bootstrap();
  const tenant = (await services.tenancy.findTenant('default'))!;
  await services.judges.create(tenant.id, judgeInputSchema.parse({ name: 'scripted', base_url: baseUrl, model: 'scripted', allow_private_network: true, concurrency: 16, calls_per_minute: 100_000 }), 'bench');
  const judge = await services.judges.stored(tenant.id, 'scripted');
  const document = (await services.policies.current(tenant.id)).document;
  const thresholds = effectiveThresholds(services.moderation.defaultThresholds, await services.thresholds.get(tenant.id));
  const report = await evaluateCascade(items, { moderator: services.moderation, cascade: services.judgeCascade, judge, document, thresholds });
  const result = { data: values.data, sample: items.length, scripted_accuracy: accuracy, scripted_latency_ms: latencyMs, band: judge.settings.cascade.band, ...report };
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    const f = (x: number) => x.toFixed(3);
    console.log(`${result.sample} items of ${values.data}; scripted judge right ${accuracy * 100}% of the time, ${latencyMs} ms per call`);
    for (const [name, m] of [['local', report.local], ['judge alone', report.judge_alone], ['cascade', report.cascade]] as const) console.log(`${name.padEnd(12)} P ${f(m.precision)} R ${f(m.recall)} F1 ${f(m.f1)}`);
    console.log(`cascade sent ${report.cascade.sent_to_judge} (${(report.cascade.share_sent_to_judge * 100).toFixed(1)}%) to the judge; latency p50 ${report.judge_calls.latency_ms.p50} ms, p99 ${report.judge_calls.latency_ms.p99} ms`);
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  fake.close();
  fake.closeAllConnections();
}
