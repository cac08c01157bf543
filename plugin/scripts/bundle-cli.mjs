// The `retro-sprites` command as one bundle (its dependencies included), in dist/cli-bundle/.
//
// Why: a command starts from nothing every time, and Node's ESM loader resolves, reads and compiles
// each module on its own. Unbundled, `retro-sprites generate` loads about 215 modules (zod alone is
// 95) before its first request, about 400 ms on 2 cores; bundled it is about 200 ms. The Vite plugin
// stays unbundled: Vite loads it once per dev server or build, and it imports little up front.
//
// Each command stays its own chunk (cli/commands/index.ts imports them lazily), so `--help` loads
// none of them. The S3 client is optional and Vite is a peer: both stay outside.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const out = join(dist, 'cli-bundle');
if (!existsSync(join(dist, 'cli/main.js'))) throw new Error('bundle-cli: dist/cli/main.js is missing: tsc -p tsconfig.build.json first');
rmSync(out, { recursive: true, force: true });
const bundle = await rolldown({
  input: { main: join(dist, 'cli/main.js') },
  platform: 'node',
  external: [/^node:/, '@aws-sdk/client-s3', 'vite'],
  logLevel: 'warn',
});
// Same depth as dist/cli/: main.ts finds the package's version at ../../package.json.
const { output } = await bundle.write({ dir: out, format: 'esm' });
await bundle.close();

// The bundled dependencies' licenses travel with their code.
const packages = new Set();
for (const chunk of output) {
  for (const id of chunk.type === 'chunk' ? chunk.moduleIds : []) {
    const at = id.lastIndexOf('/node_modules/');
    if (at < 0) continue;
    const rest = id.slice(at + '/node_modules/'.length).split('/');
    const dir = id.slice(0, at + '/node_modules/'.length) + rest.slice(0, rest[0].startsWith('@') ? 2 : 1).join('/');
    packages.add(dir);
  }
}
const sections = [...packages].sort().map((dir) => {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = ['LICENSE', 'LICENSE.md', 'license', 'LICENSE.txt'].map((f) => join(dir, f)).find(existsSync);
  const text = file ? readFileSync(file, 'utf8').trim() : `(no license file; package.json says ${pkg.license})`;
  return `## ${pkg.name} ${pkg.version} (${pkg.license})\n\n${text}\n`;
});
writeFileSync(join(out, 'THIRD-PARTY-LICENSES.md'), `# Licenses of the code bundled in this folder\n\n${sections.join('\n')}`);
