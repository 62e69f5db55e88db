// After `tsc -p tsconfig.build.json`: copies the data files that src/ reads at run time (JSON tables beside
// the code that loads them through import.meta.url) into dist/ at the same relative paths, then stamps the
// build so that bin/warden knows it is current (bin/build-state.mjs).
import { cpSync, statSync, writeFileSync } from 'node:fs';
import { BUILD_STAMP } from '../bin/build-state.mjs';

cpSync(new URL('../src/', import.meta.url), new URL('../dist/', import.meta.url), {
  recursive: true,
  filter: (source) => statSync(source).isDirectory() || source.endsWith('.json'),
});
writeFileSync(BUILD_STAMP, `${new Date().toISOString()}\n`);
