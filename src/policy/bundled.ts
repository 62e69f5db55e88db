import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PolicyDocument, parsePolicyYaml } from './document.ts';

export const POLICIES_DIR = fileURLToPath(new URL('../../policies/usage-policies/', import.meta.url));

let cache: PolicyDocument[] | undefined;

/** The policy versions shipped with Warden, oldest first: every tenant's starting point. */
export function bundledPolicies(): PolicyDocument[] {
  cache ??= readdirSync(POLICIES_DIR)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => parsePolicyYaml(readFileSync(join(POLICIES_DIR, file), 'utf8')));
  return cache;
}
