/**
 * The moderation hot path over HTTP: `warden serve` on a temporary database against a bare
 * Fastify route (the floor of the HTTP stack), measured in alternation in the same run with
 * autocannon (32 connections), client and servers on this machine.
 *
 *   npm run bench:http -- [--json] [--db postgres://…] [--seconds S] [--rounds R]
 *
 * A second reference for the one-text scenario: Warden's own HTTP stack answering a fixed one-text answer
 * (bench/http-stack.mjs: every hook, a real key, the moderation use case left out), reported as `stack_…`
 * and `ratio_to_stack`: what the HTTP stack costs against the bare floor, and what moderating costs on top.
 *
 * Scenarios, each preceded by a floor run: one text without `user`; one text with `user` (every
 * 10th text carries a payment card number, a violation that writes an event, a strike and a review
 * case); 32 texts per request. Each reports requests/s, p50 and p99, and its ratio to the floor run
 * just before it (the median over rounds). The 32-text scenario also reports texts/s and its ratio
 * to the whole local pipeline (Moderator over the same texts in this process, as `npm run bench`
 * measures it), measured in the same run. Every run also reports the server process's CPU time per
 * request (all its threads, from /proc): on a shared machine it moves less than requests/s do. Then: `warden serve`'s RSS after every request, and how
 * long `/healthz` takes while one ~1 MB moderation request is processed.
 *
 * `warden serve` runs compiled (dist/, as installed): the bench builds the server first when dist/
 * is older than src/, since bin/warden would otherwise run the sources through tsx, whose loader
 * thread and source maps add memory and start-up work that an installed Warden does not have.
 *
 * Texts: 150–250-character Dolly instructions and responses from ../shared/datasets.
 * The server runs with LOG_LEVEL=warn (no per-request log lines, as the floor has none) and a
 * rate limit high enough not to refuse the load.
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
// @ts-expect-error bin/ is plain JavaScript without declarations
import { distIsCurrent } from '../bin/build-state.mjs';
import { localDetection } from '../src/detect/index.ts';
import { Moderator } from '../src/moderation/index.ts';
import { bundledPolicies } from '../src/policy/index.ts';

const DOLLY = new URL('../../shared/datasets/dolly15k_first6400/dolly_first6400.jsonl', import.meta.url);
const ROOT = new URL('..', import.meta.url).pathname;
const CONNECTIONS = 32;
const BATCH = 32;

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    db: { type: 'string' },
    seconds: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '2' },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);

function loadTexts(): string[] {
  if (!existsSync(DOLLY)) throw new Error('No texts: ../shared/datasets/dolly15k_first6400 is needed.');
  return readFileSync(DOLLY, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      const row = JSON.parse(line) as { instruction: string; response: string };
      return [row.instruction, row.response];
    })
    .filter((text) => text.length >= 150 && text.length <= 250);
}

/** Starts a child process and resolves with the first stdout match of `pattern`. */
function start(command: string, args: string[], env: NodeJS.ProcessEnv, pattern: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = pattern.exec(out);
      if (match) resolve({ child, match });
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${err}`)));
  });
}

/** The floor: a bare Fastify POST route answering a fixed JSON of the size of a one-text moderation answer. */
async function startFloor(fixed: unknown): Promise<{ child: ChildProcess; url: string }> {
  const script = `import Fastify from 'fastify';
const fixed = JSON.parse(process.env.FIXED);
const app = Fastify();
app.post('/v1/moderations', async () => fixed);
console.log(await app.listen({ port: 0, host: '127.0.0.1' }));`;
  const { child, match } = await start(process.execPath, ['--input-type=module', '-e', script], { FIXED: JSON.stringify(fixed) }, /(http:\/\/\S+)/);
  return { child, url: match[1]! };
}

/** Warden's HTTP stack answering a fixed moderation (bench/http-stack.mjs), on its own temporary SQLite file. */
async function startStack(fixed: unknown, adminKey: string): Promise<{ child: ChildProcess; url: string; drop(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-stack-'));
  const env = { WARDEN_ADMIN_KEY: adminKey, FIXED: JSON.stringify(fixed), DB: `sqlite:${join(dir, 'warden.db')}` };
  const { child, match } = await start(process.execPath, ['bench/http-stack.mjs'], env, /(http:\/\/\S+)/);
  return { child, url: match[1]!, drop: () => rmSync(dir, { recursive: true, force: true }) };
}

async function startWarden(dbUrl: string, adminKey: string): Promise<{ child: ChildProcess; url: string }> {
  const env = { WARDEN_ADMIN_KEY: adminKey, LOG_LEVEL: 'warn', WARDEN_RATE_LIMIT: '1000000' };
  const { child, match } = await start(process.execPath, ['bin/warden', 'serve', '--port', '0', '--db', dbUrl], env, /listening on (http:\/\/\S+)/);
  return { child, url: match[1]! };
}

/** A fresh database for the run: a temporary SQLite file, or a new database on the given PostgreSQL server. */
async function temporaryDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!values.db) {
    const dir = mkdtempSync(join(tmpdir(), 'warden-bench-'));
    return { url: `sqlite:${join(dir, 'warden.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `warden_bench_${randomBytes(6).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: values.db });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(values.db);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

interface Run {
  requests_per_second: number;
  /** The server process's CPU time (all its threads) per request over the run: less sensitive to a shared machine than requests/s. */
  server_cpu_us_per_request: number | null;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  non_2xx: number;
  errors: number;
}

/** The stack reference's figures, and the scenario's ratio to it (the median over rounds). */
function stackFigures(pairs: { run: Run; stack: Run }[]) {
  return {
    stack_requests_per_second: median(pairs.map((p) => p.stack.requests_per_second)),
    stack_p99_ms: median(pairs.map((p) => p.stack.p99_ms)),
    stack_cpu_us_per_request: medianOrNull(pairs.map((p) => p.stack.server_cpu_us_per_request)),
    ratio_to_stack: Math.round(median(pairs.map((p) => p.run.requests_per_second / p.stack.requests_per_second)) * 1000) / 1000,
  };
}

/** CPU seconds (user + system, every thread) a process has used so far (Linux), or null elsewhere. */
function cpuSeconds(pid: number): number | null {
  if (!existsSync(`/proc/${pid}/stat`)) return null;
  // The fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}
const CLOCK_TICKS_PER_SECOND = 100;

/** One autocannon run of `seconds` against `url` (served by process `pid`), each request's body from `body(i)`. */
/**
 * Requests sent so far in the whole bench: each request's body is built from this count, which no run
 * restarts, so that no run repeats an earlier run's requests (an identical request with `user` within a
 * minute is taken for a retry of the first and writes nothing: a later round would measure replays).
 */
let sent = 0;

async function load(url: string, pid: number, headers: Record<string, string>, body: (i: number) => string): Promise<Run> {
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({
    url: `${url}/v1/moderations`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, setupRequest: (request) => ({ ...request, body: body(sent++) }) }],
  });
  const cpuAfter = cpuSeconds(pid);
  const cpu = cpuBefore === null || cpuAfter === null || result.requests.total === 0 ? null : Math.round(((cpuAfter - cpuBefore) * 1e6) / result.requests.total);
  return {
    requests_per_second: Math.round(result.requests.average),
    server_cpu_us_per_request: cpu,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    requests: result.requests.total,
    non_2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function medianOrNull(values: (number | null)[]): number | null {
  return values.some((v) => v === null) ? null : median(values as number[]);
}

/** Texts/s of the whole local pipeline (detection, language, policy mapping) in this process, on the same texts. */
function pipelineTextsPerSecond(texts: string[]): number {
  const moderator = new Moderator(localDetection());
  const document = bundledPolicies().at(-1)!;
  const context = { document, thresholds: moderator.defaultThresholds, surface: 'api' as const };
  for (const text of texts.slice(0, 500)) moderator.moderate([[text]], context);
  const started = performance.now();
  let done = 0;
  while (performance.now() - started < 2000) {
    for (const text of texts.slice(done % texts.length, (done % texts.length) + 100)) moderator.moderate([[text]], context);
    done += 100;
  }
  return Math.round((done / (performance.now() - started)) * 1000);
}

/** RSS of a process, in MB (Linux). */
function rssMb(pid: number): number | null {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)/.exec(status);
  return kb ? Math.round(Number(kb[1]) / 1024) : null;
}

/** `/healthz` latencies while one ~1 MB moderation request (inputs of ~100,000 characters) is processed. */
async function healthDuringLargeRequest(url: string, key: string, texts: string[]) {
  const input: string[] = [];
  let joined = '';
  for (let i = 0; input.length < 10; i += 1) {
    joined += `${texts[i % texts.length]!} `;
    if (joined.length > 99_000) {
      input.push(joined.slice(0, 99_000));
      joined = '';
    }
  }
  const body = JSON.stringify({ input });
  const timeHealth = async () => {
    const t0 = performance.now();
    await (await fetch(`${url}/healthz`)).text();
    return performance.now() - t0;
  };
  const idle: number[] = [];
  for (let i = 0; i < 20; i += 1) idle.push(await timeHealth());
  const during: number[] = [];
  const t0 = performance.now();
  let done = false;
  const moderation = fetch(`${url}/v1/moderations`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body })
    .then(async (response) => {
      await response.text();
      return response.status;
    })
    .finally(() => (done = true));
  while (!done) during.push(await timeHealth());
  const status = await moderation;
  return {
    request_bytes: Buffer.byteLength(body),
    moderation_status: status,
    moderation_ms: Math.round(performance.now() - t0),
    healthz_checks_during: during.length,
    healthz_max_ms_during: Math.round(Math.max(...during) * 10) / 10,
    healthz_p50_ms_during: Math.round(median(during) * 10) / 10,
    healthz_max_ms_idle: Math.round(Math.max(...idle) * 10) / 10,
  };
}

async function main(): Promise<void> {
  if (!(distIsCurrent as () => boolean)()) {
    process.stderr.write('bench:http: dist/ is older than src/; building the server first (npm run build:server)\n');
    execSync('npm run build:server', { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const loadBefore = loadavg().map((l) => Math.round(l * 100) / 100);
  const texts = loadTexts();
  const pipeline = pipelineTextsPerSecond(texts);
  const database = await temporaryDatabase();
  const adminKey = `wdn_bench_${randomBytes(24).toString('hex')}`;
  const warden = await startWarden(database.url, adminKey);
  const auth = { authorization: `Bearer ${adminKey}` };
  const sample = await (await fetch(`${warden.url}/v1/moderations`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ input: texts[0] }) })).json();
  const floor = await startFloor(sample);
  const stack = await startStack(sample, adminKey);
  let wardenRequests = 1;
  // The memory target: RSS once 20,000 requests have been served (read after the run that passes it).
  let rssAfter20k: { requests: number; rss_mb: number | null } | null = null;
  const served = (requests: number) => {
    wardenRequests += requests;
    if (!rssAfter20k && wardenRequests >= 20_000) rssAfter20k = { requests: wardenRequests, rss_mb: rssMb(warden.child.pid!) };
  };
  try {
    const card = ' My card is 4111 1111 1111 1111, charge it.';
    const scenarios: { name: string; body: (i: number) => string; textsPerRequest: number }[] = [
      { name: 'one_text', body: (i) => JSON.stringify({ input: texts[i % texts.length] }), textsPerRequest: 1 },
      {
        name: 'one_text_with_user',
        body: (i) => JSON.stringify({ input: i % 10 === 0 ? texts[i % texts.length] + card : texts[i % texts.length], user: `bench-user-${i % 1000}` }),
        textsPerRequest: 1,
      },
      { name: 'batch_32', body: (i) => JSON.stringify({ input: Array.from({ length: BATCH }, (_, k) => texts[(i * BATCH + k) % texts.length]) }), textsPerRequest: BATCH },
    ];
    // Warm both servers up (JIT, caches) before anything is measured.
    await load(floor.url, floor.child.pid!, {}, () => JSON.stringify({ input: texts[0] }));
    await load(stack.url, stack.child.pid!, auth, scenarios[0]!.body);
    served((await load(warden.url, warden.child.pid!, auth, scenarios[0]!.body)).requests);
    const runs = new Map<string, { floor: Run; run: Run; stack?: Run }[]>(scenarios.map((s) => [s.name, []]));
    for (let round = 0; round < rounds; round += 1) {
      for (const scenario of scenarios) {
        const floorRun = await load(floor.url, floor.child.pid!, {}, scenario.body);
        // The stack's fixed answer is a one-text answer: it is a reference for that scenario only.
        const stackRun = scenario.name === 'one_text' ? await load(stack.url, stack.child.pid!, auth, scenario.body) : undefined;
        const run = await load(warden.url, warden.child.pid!, auth, scenario.body);
        served(run.requests);
        runs.get(scenario.name)!.push({ floor: floorRun, run, ...(stackRun && { stack: stackRun }) });
      }
    }
    const report: Record<string, unknown> = {
      backend: values.db ? 'postgres' : 'sqlite',
      connections: CONNECTIONS,
      seconds_per_run: seconds,
      rounds,
      pipeline_texts_per_second: pipeline,
      // The machine may be shared: the ratios (both sides measured in alternation) matter, not the absolute figures.
      load_average_before: loadBefore,
      load_average_after: loadavg().map((l) => Math.round(l * 100) / 100),
    };
    for (const scenario of scenarios) {
      const pairs = runs.get(scenario.name)!;
      const rps = median(pairs.map((p) => p.run.requests_per_second));
      report[scenario.name] = {
        requests_per_second: rps,
        p50_ms: median(pairs.map((p) => p.run.p50_ms)),
        p99_ms: median(pairs.map((p) => p.run.p99_ms)),
        floor_requests_per_second: median(pairs.map((p) => p.floor.requests_per_second)),
        floor_p99_ms: median(pairs.map((p) => p.floor.p99_ms)),
        server_cpu_us_per_request: medianOrNull(pairs.map((p) => p.run.server_cpu_us_per_request)),
        floor_cpu_us_per_request: medianOrNull(pairs.map((p) => p.floor.server_cpu_us_per_request)),
        ratio_to_floor: Math.round(median(pairs.map((p) => p.run.requests_per_second / p.floor.requests_per_second)) * 1000) / 1000,
        non_2xx: pairs.reduce((sum, p) => sum + p.run.non_2xx, 0),
        errors: pairs.reduce((sum, p) => sum + p.run.errors, 0),
        ...(pairs[0]!.stack && stackFigures(pairs as { run: Run; stack: Run }[])),
        ...(scenario.textsPerRequest > 1 && {
          texts_per_second: rps * scenario.textsPerRequest,
          ratio_to_pipeline: Math.round(((rps * scenario.textsPerRequest) / pipeline) * 1000) / 1000,
        }),
      };
    }
    report.memory = { rss_after_20000_requests: rssAfter20k, requests_served: wardenRequests, rss_mb: rssMb(warden.child.pid!) };
    report.large_request = await healthDuringLargeRequest(warden.url, adminKey, texts);
    // After the large request the detection thread (and its copy of the model) is running.
    report.memory = { ...(report.memory as object), rss_mb_after_large_request: rssMb(warden.child.pid!) };
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else console.log(report);
  } finally {
    floor.child.kill();
    stack.child.kill();
    warden.child.kill();
    await new Promise((resolve) => stack.child.once('exit', resolve));
    stack.drop();
    await new Promise((resolve) => warden.child.once('exit', resolve));
    await database.drop();
  }
}

await main();
