/**
 * The detection thread's costs, in one process: its resident memory (the process with and without the thread
 * started, each in a child process of its own), the round trip of `DetectionThread.analyse` for one text of
 * 150–250 characters against computing it inline (one at a time, and 32 in flight), and a batch of 32 such
 * texts analysed all inline against split between this thread and the worker (`analyseMany`).
 * Texts: Dolly instructions and responses from ../shared/datasets of 150–250 characters.
 *
 *   npm run bench:thread -- [--json] [--dist] [--seconds S]
 *
 * --dist: the compiled build (dist/, `npm run build:server`), whose worker runs without tsx, as `warden serve`
 * runs it; without, the sources (the worker through tsx).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    dist: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '2' },
    memory: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const detect = (values.dist ? await import(new URL('../dist/detect/index.js', import.meta.url).href) : await import('../src/detect/index.ts')) as typeof import('../src/detect/index.ts');
const DOLLY = new URL('../../shared/datasets/dolly15k_first6400/dolly_first6400.jsonl', import.meta.url);

function sampleTexts(): string[] {
  const rows = readFileSync(DOLLY, 'utf8').split('\n').filter(Boolean);
  const all = rows.flatMap((line) => {
    const row = JSON.parse(line) as { instruction: string; response: string };
    return [row.instruction, row.response];
  });
  return all.filter((text) => text.length >= 150 && text.length <= 250);
}

const residentMb = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN) / 1024);

/** Child mode: RSS after the detection (and, with the thread, after the thread analysed one text and then 2,000). */
async function memoryChild(withThread: boolean): Promise<void> {
  const texts = sampleTexts();
  const detection = detect.localDetection();
  for (const text of texts.slice(0, 2000)) detect.analyseInput(detection, [text]);
  detect.eldTables?.();
  const report: Record<string, number> = {};
  if (withThread) {
    const thread = detect.localDetectionThread();
    await thread.analyse([texts[0]!]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    report.after_one = residentMb();
    for (const text of texts.slice(0, 2000)) await thread.analyse([text]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    report.after_2000 = residentMb();
    await thread.close();
  } else {
    await new Promise((resolve) => setTimeout(resolve, 300));
    report.after_one = report.after_2000 = residentMb();
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

if (values.memory) {
  await memoryChild(values.memory === 'thread');
  process.exit(0);
}

/**
 * Runs each of `rounds` (each handles `per` texts) in turn, over and over for about `seconds` (after a warm-up),
 * so that a change in the machine's load (it is shared) touches them alike; the median µs per text of each.
 */
async function interleaved(per: number, rounds: (() => unknown)[]): Promise<number[]> {
  const times: number[][] = rounds.map(() => []);
  const warm = performance.now();
  while (performance.now() - warm < 300) for (const round of rounds) await round();
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    for (const [i, round] of rounds.entries()) {
      const t = performance.now();
      await round();
      times[i]!.push(((performance.now() - t) * 1000) / per);
    }
  }
  return times.map((list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!);
}

function memory(): Record<string, number> {
  const run = (mode: string) => {
    const args = [...process.execArgv, fileURLToPath(import.meta.url), '--memory', mode, ...(values.dist ? ['--dist'] : [])];
    const child = spawnSync(process.execPath, args, { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(child.stderr);
    return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { after_one: number; after_2000: number };
  };
  const inline = run('inline');
  const thread = run('thread');
  return { rss_mb_inline: inline.after_one, rss_mb_thread_after_one: thread.after_one, rss_mb_thread_after_2000: thread.after_2000, thread_mb_after_one: thread.after_one - inline.after_one, thread_mb_after_2000: thread.after_2000 - inline.after_one };
}

const texts = sampleTexts();
const detection = detect.localDetection();
const thread = detect.localDetectionThread();
let next = 0;
const text = () => texts[next++ % texts.length]!;
const BATCH = 32;
const batch = () => Array.from({ length: BATCH }, () => [text()]);

const figures: Record<string, number> = { texts: texts.length };
// The same texts for every variant of a round: each round takes the next ones.
let one = [text()];
let many = batch();
const next1 = () => (one = [text()]);
const nextBatch = () => (many = batch());
// Older builds (a baseline) have no analyseMany: their split figures are the round's bookkeeping alone.
const sharing = thread as Partial<Pick<typeof thread, 'analyseMany' | 'shared'>>;
const single = await interleaved(1, [() => detect.analyseInput(detection, one), () => thread.analyse(one).then(next1)]);
const batches = await interleaved(BATCH, [
  () => many.map((parts) => detect.analyseInput(detection, parts)),
  () => Promise.all(many.map((parts) => thread.analyse(parts))),
  () => (sharing.analyseMany ? sharing.analyseMany.call(thread, many) : Promise.resolve()).then(nextBatch),
]);
[figures.inline_us, figures.round_trip_us] = single as [number, number];
[figures.batch_inline_us, figures.in_flight_32_us, figures.batch_split_us] = batches as [number, number, number];
/** CPU time of this process's main thread so far, in µs (Linux: /proc/self/task/PID/stat, in clock ticks of 10 ms). */
function mainThreadCpuUs(): number {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/**
 * CPU µs per text while `round` runs over and over for about `seconds`: this (main) thread's, and the whole
 * process's (the worker, GC helpers). Unlike wall time, it hardly depends on what else the machine runs.
 */
async function cpuPerText(per: number, round: () => unknown): Promise<{ main: number; total: number }> {
  let texts = 0;
  const start = performance.now();
  const main = mainThreadCpuUs();
  const total = process.cpuUsage();
  while (performance.now() - start < seconds * 1000) {
    await round();
    texts += per;
  }
  const used = process.cpuUsage(total);
  return { main: (mainThreadCpuUs() - main) / texts, total: (used.user + used.system) / texts };
}
// What offloading leaves this thread to do: the cost that matters where this thread also serves HTTP.
const cpu = {
  batch_inline: await cpuPerText(BATCH, () => batch().map((parts) => detect.analyseInput(detection, parts))),
  in_flight_32: await cpuPerText(BATCH, () => Promise.all(batch().map((parts) => thread.analyse(parts)))),
  batch_split: sharing.analyseMany ? await cpuPerText(BATCH, () => sharing.analyseMany!.call(thread, batch())) : undefined,
};
for (const [name, used] of Object.entries(cpu)) {
  if (!used) continue;
  figures[`${name}_cpu_main_us`] = used.main;
  figures[`${name}_cpu_total_us`] = used.total;
}
figures.batch_inline_texts_per_second = 1e6 / figures.batch_inline_us;
figures.batch_split_texts_per_second = 1e6 / figures.batch_split_us;
figures.split_share_on_thread = sharing.shared ? sharing.shared.onThread / (sharing.shared.onThread + sharing.shared.here) : NaN;
await thread.close();
Object.assign(figures, memory());
for (const [key, value] of Object.entries(figures)) figures[key] = Math.round(value * 10) / 10;
if (values.json) process.stdout.write(`${JSON.stringify(figures)}\n`);
else for (const [key, value] of Object.entries(figures)) console.log(`${key.padEnd(32)} ${value}`);
