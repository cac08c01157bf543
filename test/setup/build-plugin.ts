import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pluginDir = fileURLToPath(new URL('../../plugin/', import.meta.url));

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'dist' || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : e.name.endsWith('.ts') ? statSync(p).mtimeMs : 0);
  }
  return t;
}

/**
 * Tests that run the real `retro-sprites` bin in child processes need plugin/dist to match the
 * sources. `npm install` builds it; this rebuilds it (compiled, then bundled) when a source file is newer.
 */
export default function setup(): void {
  // The bundle is written last, so it is the marker: the bin runs it (bin/retro-sprites.js).
  const marker = join(pluginDir, 'dist', 'bundle', 'main.js');
  if (existsSync(marker) && statSync(marker).mtimeMs >= newest(pluginDir)) return;
  execFileSync(process.execPath, [join(pluginDir, '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(pluginDir, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  execFileSync(process.execPath, [join(pluginDir, 'scripts', 'bundle.mjs')], { stdio: 'inherit' });
}
