import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { NotFound } from '../common/index.ts';
import {
  type PolicyDiff,
  type PolicyDocument,
  bundledPolicies,
  diffPolicies,
  parsePolicyYaml,
} from '../policy/index.ts';
import { DEFAULT_TENANT } from '../tenancy/index.ts';
import { isMissingSqliteFile, resolveDbUrl, withServices } from './database.ts';
import { CliError, printJson } from './output.ts';

interface SourceOptions {
  db?: string;
  tenant: string;
  json?: boolean;
}

interface VersionEntry {
  version: string;
  title: string;
  effective_date: string;
  clauses: number;
  current: boolean;
}

/**
 * Where policy versions are read from: the tenant's versions in the database when there is one,
 * else the documents bundled with Warden (so the commands work before the first `serve`).
 */
async function withPolicies<T>(options: SourceOptions, work: (source: PolicySource) => Promise<T>): Promise<T> {
  const url = resolveDbUrl(options.db);
  if (isMissingSqliteFile(url)) return work(bundledSource());
  return withServices(options.db, async (services) => {
    const tenant = await services.tenancy.findTenant(options.tenant);
    if (!tenant) throw new CliError(`no tenant "${options.tenant}" in ${services.store.location}`);
    return work({
      list: async () => services.policies.list(tenant.id),
      get: async (version) =>
        version ? (await services.policies.get(tenant.id, version)).document : (await services.policies.current(tenant.id)).document,
    });
  });
}

interface PolicySource {
  list(): Promise<VersionEntry[]>;
  /** A version, or the current one when absent. */
  get(version?: string): Promise<PolicyDocument>;
}

function bundledSource(): PolicySource {
  const documents = bundledPolicies();
  return {
    list: async () =>
      documents.map((doc, index) => ({
        version: doc.version,
        title: doc.title,
        effective_date: doc.effective_date,
        clauses: doc.clauses.length,
        current: index === documents.length - 1,
      })),
    get: async (version) => {
      const doc = version ? documents.find((d) => d.version === version) : documents.at(-1);
      if (!doc) throw new NotFound(`Policy version "${version}"`);
      return doc;
    },
  };
}

export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description('read, compare and validate usage-policy versions');
  const source = (cmd: Command) =>
    cmd
      .option('--db <url>', 'sqlite:PATH or postgres://… (env WARDEN_DB); bundled policies when the database does not exist')
      .option('--tenant <name>', 'tenant whose versions to read', DEFAULT_TENANT)
      .option('--json', 'print JSON');

  source(policy.command('list').description('list policy versions')).action(async (options: SourceOptions) => {
    await withPolicies(options, async (src) => {
      const versions = await src.list();
      if (options.json) return printJson(versions);
      for (const v of versions) {
        console.log(`${v.current ? '*' : ' '} ${v.version.padEnd(20)} ${String(v.clauses).padStart(3)} clauses  ${v.title} (effective ${v.effective_date})`);
      }
    });
  });

  source(policy.command('show [version]').description('show a version (default: the current one)')).action(
    async (version: string | undefined, options: SourceOptions) => {
      await withPolicies(options, async (src) => {
        const doc = await src.get(version);
        if (options.json) return printJson(doc);
        printDocument(doc);
      });
    },
  );

  source(policy.command('diff <a> <b>').description('clauses added, removed and changed from version A to B')).action(
    async (a: string, b: string, options: SourceOptions) => {
      await withPolicies(options, async (src) => {
        const diff = diffPolicies(await src.get(a), await src.get(b));
        if (options.json) return printJson(diff);
        printDiff(diff);
      });
    },
  );

  policy
    .command('validate <file>')
    .description('check a policy YAML file; names the offending field when it is broken')
    .option('--json', 'print the parsed document as JSON')
    .action((file: string, options: { json?: boolean }) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
      }
      const doc = parsePolicyYaml(text);
      if (options.json) return printJson(doc);
      console.log(`${file}: valid — ${doc.name} ${doc.version}, ${doc.clauses.length} clauses`);
    });
}

function printDocument(doc: PolicyDocument): void {
  console.log(`${doc.title} — version ${doc.version} (effective ${doc.effective_date}), ${doc.clauses.length} clauses\n`);
  let section = '';
  for (const clause of doc.clauses) {
    if (clause.section !== section) {
      section = clause.section;
      console.log(`## ${section}`);
    }
    const categories = clause.categories.length ? ` [${clause.categories.join(', ')}]` : '';
    console.log(`  ${clause.id.padEnd(12)} ${clause.severity.padEnd(8)} ${clause.title}${categories}`);
  }
}

function printDiff(diff: PolicyDiff): void {
  console.log(`${diff.from} → ${diff.to}: ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} unchanged`);
  for (const clause of diff.added) console.log(`+ ${clause.id}  ${clause.title}`);
  for (const clause of diff.removed) console.log(`- ${clause.id}  ${clause.title}`);
  for (const { id, changes } of diff.changed) {
    console.log(`~ ${id}`);
    for (const change of changes) console.log(`    ${change.field}: ${JSON.stringify(change.from)} → ${JSON.stringify(change.to)}`);
  }
  for (const entry of diff.new_changelog_entries) console.log(`changelog ${entry.date}: ${entry.summary}`);
}
