/**
 * `npm run calibrate:images [-- --json]`: scores the image model on every benign image Warden can get without
 * collecting data — images generated here (flat colours, gradients, noise, photo-like synthetics, skin-tone
 * fields, stripes, rendered text) and images that ship with installed packages or the PDQ reference data — and
 * prints, per group, nsfwjs's class probabilities and the mapped `sexual` score against the default threshold.
 * The figures are the calibration section of models/IMAGES.md. No explicit images are used: there are none to
 * use, so recall on explicit material is nsfwjs's own (see the card).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { localDetection } from '../src/detect/index.ts';
import { ImageClassifier, type ImageClassification, decodeImage } from '../src/images/index.ts';
import { generatedImages } from '../test/support/images.ts';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } } });
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Images that ship with the installed packages and the PDQ reference set (when ../shared is there). */
function shippedImages(): { group: string; name: string; bytes: Buffer }[] {
  const files = [
    'node_modules/@fastify/static/example/public/images/sample.jpg',
    'node_modules/autocannon/test/j5.jpeg',
    'node_modules/playwright-core/lib/server/chromium/appIcon.png',
    'node_modules/zod-to-json-schema/.github/CR_logotype-full-color.png',
  ].map((f) => ({ group: 'package', path: join(root, f) }));
  const pdq = join(root, '..', 'shared', 'reference', 'pdq', 'data');
  for (const dir of ['bridge-mods', 'misc-images', 'reg-test-input/dih', 'reg-test-input/labelme-subset']) {
    const full = join(pdq, dir);
    if (existsSync(full)) for (const f of readdirSync(full)) if (/\.(jpe?g|png)$/i.test(f)) files.push({ group: 'pdq-reference', path: join(full, f) });
  }
  return files.filter((f) => existsSync(f.path)).map((f) => ({ group: f.group, name: relative(root, f.path), bytes: readFileSync(f.path) }));
}

const threshold = localDetection().thresholds.sexual ?? 0.5;
const classifier = new ImageClassifier();
const started = performance.now();
await classifier.load();
const loadMs = performance.now() - started;

const images = [...(await generatedImages()).map((g) => ({ group: g.group, name: g.name, bytes: g.bytes })), ...shippedImages()];
const rows: { group: string; name: string; classification: ImageClassification }[] = [];
for (const image of images) {
  const decoded = await decodeImage(image.bytes);
  rows.push({ group: image.group, name: image.name, classification: await classifier.classify(decoded) });
}

const groups = [...new Set(rows.map((r) => r.group))].map((group) => {
  const members = rows.filter((r) => r.group === group);
  const sexual = members.map((r) => r.classification.scores.sexual).sort((a, b) => a - b);
  const worst = members.reduce((a, b) => (b.classification.scores.sexual > a.classification.scores.sexual ? b : a));
  return {
    group,
    images: members.length,
    sexual_median: sexual[Math.floor(sexual.length / 2)]!,
    sexual_max: sexual.at(-1)!,
    flagged: sexual.filter((s) => s >= threshold).length,
    worst: { name: worst.name, classes: worst.classification.classes },
  };
});
const report = { model: classifier.status(), load_ms: Math.round(loadMs), threshold, images: rows.length, groups, rows: rows.map((r) => ({ group: r.group, name: r.name, sexual: r.classification.scores.sexual, ...r.classification.classes })) };
if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
else {
  console.log(`threshold (sexual, text model default): ${threshold}; ${rows.length} images; load ${Math.round(loadMs)} ms`);
  console.table(groups.map((g) => ({ group: g.group, images: g.images, median: g.sexual_median.toFixed(3), max: g.sexual_max.toFixed(3), flagged: g.flagged, worst: g.worst.name })));
  console.table(report.rows.map((r) => ({ ...r, sexual: r.sexual.toFixed(3), drawing: r.drawing.toFixed(3), hentai: r.hentai.toFixed(3), neutral: r.neutral.toFixed(3), porn: r.porn.toFixed(3), sexy: r.sexy.toFixed(3) })));
}
