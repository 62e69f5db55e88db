import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type EvaluationReport, evaluate, localDetection, parseLabelledJsonl } from '../detect/index.ts';
import { CliError, printJson } from './output.ts';

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('measure detection quality on a labelled JSONL file (DESIGN §7)')
    .requiredOption('--data <file>', 'JSONL: {"id","text","flagged","labels":{…},"source"} per line')
    .option('--json', 'print the metrics as JSON')
    .action((options: { data: string; json?: boolean }) => {
      let content: string;
      try {
        content = readFileSync(options.data, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read ${options.data}: ${(error as Error).message}`);
      }
      const items = parseLabelledJsonl(content);
      if (!items.length) throw new CliError(`${options.data} has no items`);
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
