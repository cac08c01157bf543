import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startDev, type Dev } from '../helpers/dev-server.js';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';
import { buildWithPlugin } from '../helpers/vite.js';

/**
 * Names that are also the names of what every JavaScript object has (Object.prototype's members),
 * and names long enough to break a file system's limit. The atlas JSON is read back with JSON.parse
 * and walked with for…in, as Phaser's JSONHash parser does.
 */
const tempDir = useTempDirs();
const PROTO_NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', '__lookupSetter__'];

function manifest(atlas: string, sprites: string[], extra = ''): string {
  return [`atlas: ${atlas}`, 'defaults:', '  size: 16', 'sprites:', ...sprites.flatMap((s, i) => [`  ${s}:`, `    prompt: gem number ${i}${extra}`])].join('\n') + '\n';
}

let dev: Dev | undefined;
afterEach(async () => {
  await dev?.server.close();
  dev = undefined;
});

describe('prototype names are proper sprites', () => {
  it('every sprite named like an Object.prototype member has its frame in its atlas, and atlases named so are atlases', async () => {
    const root = await tempDir();
    await writeProject(root, {
      'manifests/items.yaml': manifest('items', [...PROTO_NAMES, 'normal']),
      'manifests/c.yaml': manifest('constructor', ['ring']),
      'manifests/t.yaml': manifest('toString', ['toString', 'valueOf']),
    });
    const run = await runCli(['generate', '--out', 'out'], { cwd: root });
    expect(run.code, run.err.join('\n')).toBe(0);
    const pack = JSON.parse(await readFile(join(root, 'out/pack.json'), 'utf8')) as Record<string, { files: { key: string; atlasURL: string }[] }>;
    const files = pack['retro-sprites']!.files;
    expect(files.map((f) => f.key).sort()).toEqual(['constructor', 'items', 'toString']);
    const framesOf = async (key: string) => {
      const json = JSON.parse(await readFile(join(root, 'out', files.find((f) => f.key === key)!.atlasURL), 'utf8')) as { frames: Record<string, { frame: { w: number } }> };
      const names: string[] = [];
      for (const name in json.frames) if (Object.hasOwn(json.frames, name) && json.frames[name]!.frame.w === 16) names.push(name);
      return names.sort();
    };
    expect(await framesOf('items')).toEqual([...PROTO_NAMES, 'normal'].sort());
    expect(await framesOf('constructor')).toEqual(['ring']);
    expect(await framesOf('toString')).toEqual(['toString', 'valueOf']);
  });

  it('the virtual module names each of them as its own sprite, with its own frame', async () => {
    const root = await tempDir();
    await writeProject(root, {
      'index.html': '<!doctype html><html><body></body></html>\n',
      'manifests/items.yaml': manifest('items', [...PROTO_NAMES, 'normal']),
    });
    dev = await startDev(root);
    const mod = (await dev.server.ssrLoadModule('virtual:retro-sprites')) as { sprites: Record<string, { atlas?: string; frame?: string }> };
    for (const name of [...PROTO_NAMES, 'normal']) {
      expect(Object.hasOwn(mod.sprites, name), name).toBe(true);
      expect(mod.sprites[name], name).toEqual({ atlas: 'items', frame: name });
    }
    // Not renamed to items_<name> as if the name were taken.
    expect(Object.keys(mod.sprites).filter((k) => k.startsWith('items_'))).toEqual([]);
  });
});

describe('names that cannot be used are located manifest errors', () => {
  it('__proto__ as a sprite name, an atlas name and a file name', async () => {
    const root = await tempDir();
    await writeProject(root, {
      'manifests/items.yaml': manifest('items', ['gem', '__proto__']),
      'manifests/b.yaml': manifest('__proto__', ['ring']),
      'manifests/__proto__.yaml': 'sprites:\n  coin:\n    prompt: a coin\n    size: 16\n',
    });
    const run = await runCli(['generate'], { cwd: root });
    const said = run.err.join('\n');
    expect(run.code).toBe(1);
    expect(said).toMatch(/manifests\/items\.yaml:7:3: sprite name "__proto__" is reserved/);
    expect(said).toMatch(/manifests\/b\.yaml:1:8: atlas name "__proto__" is reserved/);
    expect(said).toMatch(/manifests\/__proto__\.yaml:1:1: the atlas name defaults to the file name: atlas name "__proto__" is reserved/);
    expect(said).not.toMatch(/\n\s+at /);
  });

  it('an atlas or sprite name too long for a file name: file:line:col, not ENAMETOOLONG', async () => {
    const long = 'a'.repeat(300);
    for (const [files, where] of [
      [{ 'manifests/items.yaml': manifest(long, ['gem']) }, /manifests\/items\.yaml:1:8: atlas name is 300 characters long; .*at most 100/],
      [{ 'manifests/items.yaml': `atlas: items\nsprites:\n  ${long}:\n    prompt: grass\n    prompt_style: texture\n    size: 32\n    tile_x: true\n    tile_y: true\n` }, /manifests\/items\.yaml:3:3: sprite name is 300 characters long/],
    ] as const) {
      const root = await tempDir();
      await writeProject(root, files);
      const run = await runCli(['generate', '--out', 'out'], { cwd: root });
      const said = run.err.join('\n');
      expect(run.code).toBe(1);
      expect(said).toMatch(where);
      expect(said).not.toMatch(/ENAMETOOLONG|internal error/);
      // And the same in vite build.
      const err = await buildWithPlugin(root).then(() => undefined, (e: Error) => e);
      expect(err?.message).toMatch(/at most 100/);
      expect(err?.message).not.toMatch(/ENAMETOOLONG/);
    }
  });
});
