// `npm run bench:readme`: README.md's Performance figures, regenerated from bench/results.json
// between the bench markers. Never edit the text between them by hand; run the bench, then this.
import { readFile, writeFile } from 'node:fs/promises';
import { withReport } from './lib/readme-block.mjs';
import { renderReport } from './lib/report.mjs';

const README = new URL('../README.md', import.meta.url);
const results = JSON.parse(await readFile(new URL('./results.json', import.meta.url), 'utf8'));
await writeFile(README, withReport(await readFile(README, 'utf8'), renderReport(results)));
console.error('README.md: Performance figures regenerated from bench/results.json');
