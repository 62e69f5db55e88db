import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type EvaluationReport, type LabelledItem, evaluate, localDetection, parseLabelledJsonl } from '../detect/index.ts';
import { type CascadeEvaluation, evaluateCascade } from '../judge/index.ts';
import { effectiveThresholds } from '../policy/index.ts';
import { withServices } from './database.ts';
import { CliError, printJson } from './output.ts';

interface EvalOptions {
  data: string;
  json?: boolean;
  judge?: string;
  tenant: string;
  db?: string;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('measure detection quality on a labelled JSONL file (DESIGN §7)')
    .requiredOption('--data <file>', 'JSONL: {"id","text","flagged","labels":{…},"source"} per line')
    .option('--json', 'print the metrics as JSON')
    .option('--judge <name>', "also run the tenant's judge: local alone, judge alone and the cascade (calls the judge's endpoint)")
    .option('--tenant <name>', 'the tenant whose judge, policy and thresholds --judge uses', 'default')
    .option('--db <url>', 'database holding the judge (as WARDEN_DB)')
    .action(async (options: EvalOptions) => {
      let content: string;
      try {
        content = readFileSync(options.data, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read ${options.data}: ${(error as Error).message}`);
      }
      const items = parseLabelledJsonl(content);
      if (!items.length) throw new CliError(`${options.data} has no items`);
      if (options.judge) {
        const report = await judgeReport(items, options);
        return options.json ? printJson(report) : printCascade(report);
      }
      const detection = localDetection();
      const report = evaluate(items, (text) => detection.detect(text).scores, detection.thresholds);
      if (options.json) return printJson(report);
      printReport(report);
    });
}

function printReport(report: EvaluationReport): void {
  const f = (x: number) => x.toFixed(3);
  const { binary } = report;
  console.log(`${report.n} items; flagged by any moderation category:`);
  console.log(`  precision ${f(binary.precision)}  recall ${f(binary.recall)}  F1 ${f(binary.f1)}  AUPRC ${f(binary.auprc)}\n`);
  console.log(`${'category'.padEnd(32)} ${'n_pos'.padStart(6)} ${'thr'.padStart(6)} ${'P'.padStart(6)} ${'R'.padStart(6)} ${'F1'.padStart(6)} ${'AUPRC'.padStart(6)}`);
  for (const [category, m] of Object.entries(report.categories)) {
    const threshold = report.thresholds[category as keyof typeof report.thresholds];
    console.log(
      `${category.padEnd(32)} ${String(m.n_pos).padStart(6)} ${(threshold === undefined ? '—' : f(threshold)).padStart(6)} ${f(m.precision).padStart(6)} ${f(m.recall).padStart(6)} ${f(m.f1).padStart(6)} ${f(m.auprc).padStart(6)}`,
    );
  }
}

/** The cascade's evaluation with the tenant's stored judge; the judge's calls-per-minute budget does not apply to an evaluation. */
async function judgeReport(items: LabelledItem[], options: EvalOptions): Promise<CascadeEvaluation> {
  return withServices(options.db, async (services) => {
    const tenant = await services.tenancy.findTenant(options.tenant);
    if (!tenant) throw new CliError(`no tenant "${options.tenant}"`);
    const stored = await services.judges.stored(tenant.id, options.judge!).catch(() => {
      throw new CliError(`tenant "${options.tenant}" has no judge "${options.judge}" (see GET /v1/judges)`);
    });
    const judge = { ...stored, settings: { ...stored.settings, calls_per_minute: 100_000 } };
    const document = (await services.policies.current(tenant.id)).document;
    const thresholds = effectiveThresholds(services.moderation.defaultThresholds, await services.thresholds.get(tenant.id));
    return evaluateCascade(items, { moderator: services.moderation, cascade: services.judgeCascade, judge, document, thresholds });
  });
}

function printCascade(report: CascadeEvaluation): void {
  const f = (x: number) => x.toFixed(3);
  console.log(`${report.n} items; judge "${report.judge}" (${report.model}), policy ${report.policy_version}, template ${report.template_version}`);
  console.log(`${'decided by'.padEnd(14)} ${'P'.padStart(6)} ${'R'.padStart(6)} ${'F1'.padStart(6)}`);
  for (const [name, m] of [['local', report.local], ['judge alone', report.judge_alone], ['cascade', report.cascade]] as const) {
    console.log(`${name.padEnd(14)} ${f(m.precision).padStart(6)} ${f(m.recall).padStart(6)} ${f(m.f1).padStart(6)}`);
  }
  const calls = report.judge_calls;
  console.log(`\ncascade sent ${report.cascade.sent_to_judge} of ${report.n} items to the judge (${(report.cascade.share_sent_to_judge * 100).toFixed(1)}%)`);
  console.log(`judge calls ${calls.calls} (+${calls.cached} cached), latency p50 ${calls.latency_ms.p50 ?? '—'} ms, p99 ${calls.latency_ms.p99 ?? '—'} ms, failures ${JSON.stringify(calls.failures)}`);
}
