// One `vite build` of a bench game, alone in its process so its peak RSS is its own.
// argv: root mode(plugin|static) outDir
import { dist } from '../lib/dist.mjs';

const [root, mode, outDir] = process.argv.slice(2);
const { build } = await import('vite');
const plugins = [];
if (mode === 'plugin') {
  const { retroSprites } = await import(dist('index.js'));
  plugins.push(retroSprites({ provider: 'placeholder', dts: false }));
}
const t0 = performance.now();
await build({ root, configFile: false, logLevel: 'silent', plugins, build: { outDir, emptyOutDir: true } });
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
process.exit(0);
