// The package as one bundle (its dependencies included), in dist/bundle/: the Vite plugin
// (`index.js`, what `import 'vite-plugin-retro-sprites'` loads) and the `retro-sprites` command
// (`main.js`), sharing their chunks.
//
// Why: Node's loader resolves, reads and compiles each module on its own, and unbundled the plugin
// is about 140 modules of ours, 95 of zod and a hundred CommonJS files of yaml, pngjs and
// fast-glob. A command starts from nothing every time: `retro-sprites generate` sent its first
// request about 400 ms after starting, bundled about 200 ms. Every `vite build` loads the plugin
// from nothing too, and at 8000 sprites a kept build's whole work is smaller than that loading.
//
// The commands stay lazy chunks (cli/commands/index.ts imports them lazily), so `--help` loads
// none of them. The S3 client is optional and Vite is a peer: both stay outside. The browser
// runtime (dist/client/) is not in it: the virtual module imports it by path, at the same depth.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const out = join(dist, 'bundle');
for (const entry of ['index.js', 'cli/main.js']) {
  if (!existsSync(join(dist, entry))) throw new Error(`bundle: dist/${entry} is missing: tsc -p tsconfig.build.json first`);
}
rmSync(out, { recursive: true, force: true });
const bundle = await rolldown({
  input: { index: join(dist, 'index.js'), main: join(dist, 'cli/main.js') },
  platform: 'node',
  external: [/^node:/, '@aws-sdk/client-s3', 'vite'],
  logLevel: 'warn',
});
// Same depth as dist/cli/ and dist/vite/: the package.json is at ../../package.json and the
// browser runtime at ../client/.
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
