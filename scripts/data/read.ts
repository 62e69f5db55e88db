import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

export type Row = Record<string, string>;

export function readText(dir: string, file: string): string {
  const buffer = readFileSync(join(dir, file));
  return (file.endsWith('.gz') ? gunzipSync(buffer) : buffer).toString('utf8');
}

export function readCsv(dir: string, file: string, delimiter = ','): Row[] {
  return parse(readText(dir, file), { columns: true, delimiter, relax_quotes: true, skip_empty_lines: true, bom: true }) as Row[];
}

/** A CSV file without a header line, as arrays of fields. */
export function readCsvRows(dir: string, file: string): string[][] {
  return parse(readText(dir, file), { relax_quotes: true, skip_empty_lines: true, bom: true }) as string[][];
}

export function readJson<T>(dir: string, file: string): T {
  return JSON.parse(readText(dir, file)) as T;
}

export function readJsonl<T>(dir: string, file: string): T[] {
  return readText(dir, file)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

export function readLines(dir: string, file: string): string[] {
  return readText(dir, file).split('\n').map((line) => line.trim()).filter((line) => line !== '');
}
