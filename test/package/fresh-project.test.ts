import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeProject } from '../helpers/project.js';
import { packPlugin, run, WORKSPACE } from '../helpers/packed.js';
import { GAME_MANIFEST } from '../helpers/vite.js';

/**
 * A user's own game, outside this repository: a standard Vite + TypeScript project
 * (`"include": ["src"]`) that installs the packed tarball and follows "Using it in your game".
 * The tools are the real ones, run as the user runs them: vite's and tsc's own bins.
 *
 * Installing: the tarball is unpacked into node_modules as npm does; vite, phaser, typescript and
 * the plugin's declared dependencies are linked from this workspace's node_modules (offline, and
 * the same versions CI installed). Only what the tarball's package.json declares is linked, so a
 * missing dependency fails here as it would for a user.
 */
describe('a fresh project that installs the packed tarball', () => {
  let root: string;
  let packDir: string;
  const bin = (name: string) => join(root, 'node_modules', name);
  const vite = (args: string[]) => run(process.execPath, [bin('vite/bin/vite.js'), ...args], { cwd: root, env: userEnv() });
  const tsc = () => run(process.execPath, [bin('typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json'], { cwd: root }).then(
    () => '',
    (e: { stdout: string }) => e.stdout || 'failed',
  );

  beforeAll(async () => {
    const pack = await packPlugin();
    packDir = pack.dir;
    root = await mkdtemp(join(tmpdir(), 'retro-sprites-user-game-'));
    const pkgDir = join(root, 'node_modules/vite-plugin-retro-sprites');
    await mkdir(pkgDir, { recursive: true });
    await run('tar', ['xzf', pack.tarball, '-C', pkgDir, '--strip-components=1']);
    const declared = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    // Each dependency as Node finds it from the plugin's workspace folder (npm may nest one there).
    const installed = (name: string) => [join(WORKSPACE, 'plugin/node_modules', name), join(WORKSPACE, 'node_modules', name)].find((d) => existsSync(d))!;
    for (const name of ['vite', 'phaser', 'typescript', ...Object.keys(declared.dependencies)]) {
      await mkdir(join(root, 'node_modules', name, '..'), { recursive: true });
      await symlink(installed(name), join(root, 'node_modules', name), 'dir');
    }
    await writeProject(root, {
      'package.json': JSON.stringify({ name: 'my-game', private: true, type: 'module' }),
      'index.html': '<!doctype html><html><body><script type="module" src="/src/main.ts"></script></body></html>\n',
      'vite.config.ts': "import { defineConfig } from 'vite';\nimport retroSprites from 'vite-plugin-retro-sprites';\n\nexport default defineConfig({ plugins: [retroSprites()] });\n",
      'src/main.ts': [
        "import Phaser from 'phaser';",
        "import { preload, add, sprites, animations } from 'virtual:retro-sprites';",
        'class World extends Phaser.Scene {',
        '  preload() { preload(this); }',
        '  create() {',
        "    add(this, 100, 100, 'coin');",
        '    const walker = this.add.sprite(200, 150, sprites.walker.atlas!, sprites.walker.frame);',
        '    walker.play(animations.walker_down);',
        '  }',
        '}',
        'new Phaser.Game({ type: Phaser.AUTO, width: 320, height: 240, scene: World });',
        '',
      ].join('\n'),
      'src/server.ts': "import { sprites, packUrl } from 'virtual:retro-sprites';\nexport const hero = sprites.hero.frame;\nexport { packUrl };\n",
      'manifests/heroes.yaml': GAME_MANIFEST,
      'tsconfig.json': JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', strict: true, noEmit: true, skipLibCheck: true, lib: ['ES2022', 'DOM'], types: [] },
        include: ['src'],
      }, null, 2),
    });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([root, packDir].filter(Boolean).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('vite build emits the art and writes declarations where tsc finds them; tsc passes, a sprite typo fails it', async () => {
    const { stdout } = await vite(['build']);
    expect(stdout).toMatch(/retro-sprites: 4 sprites, 0 cached, 4 generated/);
    const art = (await readdir(join(root, 'dist/assets/retro-sprites'))).sort();
    expect(art.filter((f) => f.startsWith('pack-'))).toHaveLength(1);
    expect(await readFile(join(root, 'src/retro-sprites.d.ts'), 'utf8')).toContain('declare module "virtual:retro-sprites"');

    expect(await tsc()).toBe('');
    const main = await readFile(join(root, 'src/main.ts'), 'utf8');
    await writeFile(join(root, 'src/main.ts'), main.replace("'coin'", "'coinn'"));
    expect(await tsc()).toMatch(/src\/main\.ts\(\d+,\d+\): error TS2345: Argument of type '"coinn"'/);
    await writeFile(join(root, 'src/main.ts'), main);
  }, 120_000);

  it('vite build --ssr bundles the keys and emits no art (the client build emits it, once)', async () => {
    await vite(['build', '--ssr', 'src/server.ts', '--outDir', 'dist-server']);
    const server = await readdir(join(root, 'dist-server'), { recursive: true });
    expect(server.map(String).filter((f) => /\.(png|json)$/.test(f))).toEqual([]);
    const js = await readFile(join(root, 'dist-server', server.map(String).find((f) => /\.m?js$/.test(f))!), 'utf8');
    expect(js).toMatch(/\/assets\/retro-sprites\/pack-[\w-]+\.json/);
  }, 60_000);

  it('vite build --watch rebuilds within seconds of a manifest edit', async () => {
    const child = spawn(process.execPath, [bin('vite/bin/vite.js'), 'build', '--watch'], { cwd: root, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const output = collect(child);
      await output.until(/built in/, 1, 30_000);
      const before = (await readdir(join(root, 'dist/assets/retro-sprites'))).find((f) => f.startsWith('pack-'));
      await writeFile(join(root, 'manifests/heroes.yaml'), GAME_MANIFEST.replace('gold coin', 'silver coin'));
      await output.until(/built in/, 2, 10_000);
      const after = (await readdir(join(root, 'dist/assets/retro-sprites'))).find((f) => f.startsWith('pack-'));
      expect(after).not.toBe(before);
    } finally {
      child.kill();
    }
  }, 60_000);

  it('the dev server serves the runtime without a source-map warning, and the dev page without 404s', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [bin('vite/bin/vite.js'), '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { cwd: root, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const output = collect(child);
      await output.until(/Local:/, 1, 30_000);
      const url = `http://127.0.0.1:${port}`;
      // What the page's import of virtual:retro-sprites pulls in, as the browser would fetch it.
      const virtual = await (await fetch(`${url}/@id/virtual:retro-sprites`)).text();
      const runtime = /from "([^"]+client\/index\.js[^"]*)"/.exec(virtual)?.[1];
      expect(runtime, virtual).toBeDefined();
      expect((await fetch(url + runtime)).status).toBe(200);
      const page = await fetch(`${url}/__retro-sprites/`);
      expect(page.status).toBe(200);
      const html = await page.text();
      // Every URL the page refers to answers (the favicon included).
      const refs = [...html.matchAll(/(?:src|href)="([^"#]+)"/g)].map((m) => new URL(m[1]!, `${url}/__retro-sprites/`).href);
      expect(refs.some((r) => /favicon|icon/.test(r) || r.startsWith('data:'))).toBe(true);
      for (const ref of refs.filter((r) => r.startsWith('http'))) expect((await fetch(ref)).status, ref).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
      expect(output.text()).not.toMatch(/Sourcemap .* points to missing source files/);
    } finally {
      child.kill();
    }
  }, 60_000);
});

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The user's shell, without the secrets or CI flags of the one running the tests. */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['RD_API_KEY', 'RD_API_URL', 'CI', 'VITEST', 'NODE_ENV']) delete env[k];
  return env;
}

function collect(child: ChildProcess) {
  let text = '';
  const waiters: (() => void)[] = [];
  const onData = (b: Buffer) => {
    text += b.toString();
    for (const w of waiters.splice(0)) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return {
    text: () => text,
    until(re: RegExp, times: number, ms: number): Promise<void> {
      const count = () => text.split('\n').filter((l) => re.test(l)).length;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`waited ${ms} ms for ${times}× ${re}; output:\n${text}`)), ms);
        const check = () => {
          if (count() >= times) {
            clearTimeout(timer);
            resolve();
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}
