import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * docs/ARCHITECTURE.md, checked: the core imports nothing of Vite or of the faces, no module
 * imports itself through others (type-only imports count: a circle of types is still a circle),
 * and every import in the core runs with the flow, never against it.
 */
const PLUGIN = fileURLToPath(new URL('../plugin/', import.meta.url));

/** What each unit of the core may import, as docs/ARCHITECTURE.md draws it. */
const BASE = ['errors', 'location', 'order', 'content-hash', 'pool', 'fs', 'net', 'payload', 'animation-layout', 'request', 'catalog', 'image', 'cache-key', 'tileset', 'printable', 'version'];
const MAY_IMPORT: Record<string, string[]> = {
  ...Object.fromEntries(BASE.map((u) => [u, BASE])),
  manifest: BASE,
  providers: [...BASE, 'providers'],
  cache: [...BASE, 'providers'],
  generate: [...BASE, 'providers', 'cache'],
  phaser: [...BASE, 'providers'],
  project: [...BASE, 'manifest', 'providers', 'cache', 'generate'],
  reseed: [...BASE, 'manifest'],
  output: [...BASE, 'cache', 'phaser'],
  session: [...BASE, 'manifest', 'providers', 'cache', 'generate', 'phaser', 'project'],
  'offline-keys': [...BASE, 'manifest', 'providers', 'cache', 'phaser'],
  variants: [...BASE, 'cache'],
  'build-memo': [...BASE, 'cache'],
};
/**
 * Single files a face may reach in another: `retro-sprites types` writes the very declarations the
 * plugin writes, from the plugin's own (Vite-free) modules.
 */
const FACE_MAY_IMPORT_FILES: Record<string, string[]> = {
  cli: ['vite/dts.ts', 'vite/virtual-module.ts'],
};
/** The faces and what they may reach. */
const FACE_MAY_IMPORT: Record<string, string[]> = {
  client: ['client'],
  core: ['core'],
  emulator: ['emulator', 'core'],
  vite: ['vite', 'core', 'client'],
  cli: ['cli', 'core', 'emulator'],
  scripts: ['scripts', 'core'],
};

interface Import {
  from: string;
  spec: string;
  /** Resolved file (relative to plugin/) for a relative import. */
  target?: string;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const from = relative(PLUGIN, file).split(sep).join('/');
  const found: Import[] = [];
  for (const m of text.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]/gm)) {
    const spec = (m[1] ?? m[2] ?? m[3])!;
    const target = spec.startsWith('.') ? relative(PLUGIN, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))).split(sep).join('/') : undefined;
    found.push({ from, spec, target });
  }
  return found;
}

/** `core/phaser/build.ts` → `phaser`; `core/session.ts` → `session`. */
function coreUnit(path: string): string {
  const parts = path.split('/').slice(1);
  return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.ts$/, '');
}

const files = sources(PLUGIN);
const imports = files.flatMap(importsOf);

describe('the architecture of plugin/', () => {
  it('reads the whole tree (the checks below have something to check)', () => {
    expect(files.length).toBeGreaterThan(80);
    expect(imports.filter((i) => i.from.startsWith('core/') && i.target).length).toBeGreaterThan(200);
  });

  it('keeps plugin/core free of Vite and of the faces', () => {
    const bad = imports.filter(
      (i) => i.from.startsWith('core/') && (i.spec === 'vite' || i.spec.startsWith('vite/') || (i.target && !i.target.startsWith('core/'))),
    );
    expect(bad.map((i) => `${i.from} imports ${i.spec}`)).toEqual([]);
  });

  it('has each face import only what it stands on', () => {
    const bad = imports.filter((i) => {
      if (!i.target || !i.target.includes('/')) return false;
      const face = i.from.split('/')[0]!;
      const allowed = FACE_MAY_IMPORT[face];
      return allowed !== undefined && !allowed.includes(i.target.split('/')[0]!) && !FACE_MAY_IMPORT_FILES[face]?.includes(i.target);
    });
    // The files a face may borrow stay free of Vite.
    for (const file of Object.values(FACE_MAY_IMPORT_FILES).flat()) {
      expect(imports.filter((i) => i.from === file && (i.spec === 'vite' || i.spec.startsWith('vite/'))), file).toEqual([]);
    }
    expect(bad.map((i) => `${i.from} imports ${i.spec}`)).toEqual([]);
  });

  it('runs every import in the core with the flow: manifest → request → cache/provider → frames → atlas → emit', () => {
    const units = new Set(files.map((f) => relative(PLUGIN, f).split(sep).join('/')).filter((f) => f.startsWith('core/')).map(coreUnit));
    // A new folder or top-level file of the core must be placed in the table (and the document) first.
    expect([...units].filter((u) => !MAY_IMPORT[u]).sort()).toEqual([]);
    const against = imports.filter((i) => {
      if (!i.from.startsWith('core/') || !i.target?.startsWith('core/')) return false;
      const from = coreUnit(i.from);
      const to = coreUnit(i.target);
      return from !== to && !MAY_IMPORT[from]!.includes(to);
    });
    expect(against.map((i) => `${i.from} imports ${i.spec}`)).toEqual([]);
  });

  it('has no import cycle, type-only imports included', () => {
    const graph = new Map<string, Set<string>>();
    for (const i of imports) if (i.target) (graph.get(i.from) ?? graph.set(i.from, new Set()).get(i.from)!).add(i.target);
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (node: string): void => {
      state.set(node, 'open');
      stack.push(node);
      for (const next of graph.get(node) ?? []) {
        if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(node, 'done');
    };
    for (const node of graph.keys()) if (!state.has(node)) visit(node);
    expect(cycles).toEqual([]);
  });
});
