// One `vite build` of a bench game with the plugin and a remote cache, alone in its process.
// argv: root outDir [remoteUrl]; the remote's credentials come from the environment, as for a user.
import { dist } from '../lib/dist.mjs';

const [root, outDir, remoteCache] = process.argv.slice(2);
const { build } = await import('vite');
const { retroSprites } = await import(dist('index.js'));
const lines = [];
const plugins = [retroSprites({ provider: 'placeholder', dts: false, ...(remoteCache ? { remoteCache } : {}) })];
const keep = (m) => {
  lines.push(m);
};
const logger = { info: keep, warn: keep, warnOnce: keep, error: keep, clearScreen() {}, hasErrorLogged: () => false, hasWarned: false };
const t0 = performance.now();
await build({ root, configFile: false, customLogger: logger, logLevel: 'info', plugins, build: { outDir, emptyOutDir: true } });
const ms = performance.now() - t0;
const fetched = Number(/(\d+) entries fetched from the remote cache/.exec(lines.join('\n'))?.[1] ?? 0);
const remoteLines = lines.filter((l) => /remote/.test(l));
process.stdout.write(JSON.stringify({ ms, fetched, remoteLines, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
process.exit(0);
