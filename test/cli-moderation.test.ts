import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODERATION_CATEGORIES } from '../src/common/index.ts';
import { LEGACY_CATEGORIES } from '../src/moderation/index.ts';
import { runWarden } from './support/cli.ts';

describe('warden moderate', () => {
  it('prints the /v1/moderations JSON for TEXT', async () => {
    const result = await runWarden(['moderate', 'my card is 4111 1111 1111 1111']);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout) as {
      id: string;
      model: string;
      results: { flagged: boolean; categories: Record<string, boolean>; warden: { violations: { clause_id: string }[] } }[];
    };
    expect(body.id).toMatch(/^modr-/);
    expect(body.model).toBe('omni-moderation-latest');
    expect(Object.keys(body.results[0]!.categories).sort()).toEqual([...MODERATION_CATEGORIES].sort());
    expect(body.results[0]!.warden.violations.map((v) => v.clause_id).sort()).toEqual(['api.1.1', 'universal.1']);
  });

  it('scores with the trained model, as the server does: a threat cites universal.2, with its language', async () => {
    const result = await runWarden(['moderate', 'I will find you and kill you, you worthless piece of trash']);
    expect(result.code).toBe(0);
    const [moderated] = (JSON.parse(result.stdout) as {
      results: { flagged: boolean; warden: { violations: { clause_id: string; category: string }[]; language: { code: string; supported: boolean } } }[];
    }).results;
    expect(moderated!.flagged).toBe(true);
    const threats = moderated!.warden.violations.filter((v) => v.category === 'violence' || v.category === 'harassment/threatening');
    expect(threats.map((v) => v.clause_id)).toContain('universal.2');
    expect(moderated!.warden.language).toMatchObject({ code: 'en', supported: true });
  });

  it('reads stdin when TEXT is absent', async () => {
    const result = await runWarden(['moderate'], { input: 'ssn 123-45-6789' });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { results: { warden: { flagged: boolean } }[] }).results[0]!.warden.flagged).toBe(true);
  });

  it('--jsonl answers one line per input line, keeping ids, and flags bad lines', async () => {
    const input = ['{"text":"hello"}', 'not json', '{"id":"b","text":"pwd: hunter2!"}', ''].join('\n');
    const result = await runWarden(['moderate', '--jsonl'], { input });
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toHaveProperty('category_scores');
    expect(lines[1]).toEqual({ line: 2, error: 'not valid JSON' });
    expect(lines[2]).toMatchObject({ id: 'b', warden: { flagged: true } });
  });

  it('answers a legacy model name with its 11 categories, also with --jsonl', async () => {
    const result = await runWarden(['moderate', '--model', 'text-moderation-stable', 'hello']);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout) as { model: string; results: { categories: Record<string, boolean> }[] };
    expect(body.model).toBe('text-moderation-stable');
    expect(Object.keys(body.results[0]!.categories).sort()).toEqual([...LEGACY_CATEGORIES].sort());
    const lines = await runWarden(['moderate', '--jsonl', '--model', 'text-moderation-latest'], { input: '{"text":"hi"}\n' });
    expect(Object.keys((JSON.parse(lines.stdout) as { category_scores: object }).category_scores).sort()).toEqual([...LEGACY_CATEGORIES].sort());
  }, 90_000);

  it('refuses an unknown model', async () => {
    const result = await runWarden(['moderate', '--model', 'nope', 'hi']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/model "nope" does not exist/);
  });
});

describe('warden eval', () => {
  it('--json prints DESIGN §7 metrics, per category only where labels exist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-eval-'));
    const file = join(dir, 'data.jsonl');
    const items = [
      { id: '1', text: 'card 4111 1111 1111 1111', flagged: false, labels: { 'privacy/sensitive-identifiers': true } },
      { id: '2', text: 'nothing here', flagged: false, labels: { 'privacy/sensitive-identifiers': false } },
      { id: '3', text: 'a threat', flagged: true, labels: {} },
    ];
    writeFileSync(file, items.map((item) => JSON.stringify(item)).join('\n'));
    const result = await runWarden(['eval', '--data', file, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Record<string, unknown> & { categories: Record<string, unknown> };
    expect(Object.keys(report).sort()).toEqual(['binary', 'categories', 'n', 'thresholds']);
    expect(report.n).toBe(3);
    expect(report.binary).toEqual({ precision: expect.any(Number), recall: expect.any(Number), f1: expect.any(Number), auprc: expect.any(Number) });
    expect(Object.keys(report.categories)).toEqual(['privacy/sensitive-identifiers']);
    expect(report.categories['privacy/sensitive-identifiers']).toEqual({ n_pos: 1, precision: 1, recall: 1, f1: 1, auprc: 1 });
  });

  it('names a broken line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-eval-'));
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"id":"1","text":"x","flagged":false}\n{"id":"2"}\n');
    const result = await runWarden(['eval', '--data', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/line 2/);
  });
});
