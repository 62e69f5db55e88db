/**
 * Resident memory of a real `warden serve` process (SQLite in a temporary folder): after start, after its first
 * moderation (the model loads on first use), and after moderating N texts over HTTP in batches of 20 — a fixed,
 * evenly spaced sample of data/*.jsonl (from `npm run data`), or Dolly texts from ../shared/datasets without it.
 * Read from /proc/PID/status (Linux).
 *
 *   npm run bench:memory -- [--json] [--texts N]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, texts: { type: 'string', default: '5000' } } });
const textCount = Number(values.texts);
const WARDEN = fileURLToPath(new URL('../bin/warden', import.meta.url));
const DATA = ['dev', 'heldout', 'train'].map((split) => new URL(`../data/${split}.jsonl`, import.meta.url));
const DOLLY = new URL('../../shared/datasets/dolly15k_first6400/dolly_first6400.jsonl', import.meta.url);
/** The server refuses inputs over 100,000 characters (a 413); the sample leaves them out. */
const MAX_CHARS = 100_000;
const BATCH = 20;

function sample(): { texts: string[]; source: string } {
  const lines = (url: URL) => readFileSync(url, 'utf8').split('\n').filter(Boolean);
  const fromData = DATA.every(existsSync);
  const all = fromData
    ? DATA.flatMap(lines).map((line) => (JSON.parse(line) as { text: string }).text)
    : lines(DOLLY).flatMap((line) => Object.values(JSON.parse(line) as Record<string, string>).filter((v) => typeof v === 'string'));
  const usable = all.filter((text) => text.length <= MAX_CHARS);
  const step = Math.max(1, usable.length / textCount);
  return { texts: Array.from({ length: Math.min(textCount, usable.length) }, (_, i) => usable[Math.floor(i * step)]!), source: fromData ? 'data/*.jsonl' : 'shared/datasets/dolly15k_first6400' };
}

function residentMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return Math.round(kb / 1024);
}

const { texts, source } = sample();
const folder = mkdtempSync(join(tmpdir(), 'warden-bench-memory-'));
const key = `wk_bench_${'0'.repeat(40)}`;
const child = spawn(WARDEN, ['serve', '--port', '0', '--db', `sqlite:${join(folder, 'warden.db')}`], { env: { ...process.env, WARDEN_ADMIN_KEY: key, LOG_LEVEL: 'warn' } });
let output = '';
child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));

try {
  const started = Date.now();
  let address: string | undefined;
  while (!(address = /listening on (http:\/\/\S+)/.exec(output)?.[1])) {
    if (child.exitCode !== null || Date.now() - started > 60_000) throw new Error(`warden serve did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const moderate = async (input: string[]) => {
    const response = await fetch(`${address}/v1/moderations`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ input }) });
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
    await response.json();
  };
  const pid = child.pid!;
  const afterStart = residentMb(pid);
  await moderate(['hello']);
  const afterFirst = residentMb(pid);
  for (let i = 0; i < texts.length; i += BATCH) await moderate(texts.slice(i, i + BATCH));
  const report = { rss_mb_after_start: afterStart, rss_mb_after_first_moderation: afterFirst, rss_mb_after_texts: residentMb(pid), texts: texts.length, source };
  if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else console.log(`warden serve RSS: ${afterStart} MB after start, ${afterFirst} MB after its first moderation, ${report.rss_mb_after_texts} MB after ${texts.length} texts from ${source}`);
} finally {
  child.kill();
  rmSync(folder, { recursive: true, force: true });
}
