import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLUGIN, REPO } from './dist.mjs';
import { node, timeProcess } from './proc.mjs';
import { seeded } from './stats.mjs';

const THINGS = ['knight', 'slime', 'bat', 'coin', 'gem', 'chest', 'potion', 'sword', 'shield', 'tree', 'rock', 'mushroom', 'skull', 'key', 'torch', 'crate'];
const LOOKS = ['red', 'blue', 'golden', 'mossy', 'icy', 'burning', 'shadow', 'crystal', 'rusty', 'royal'];
const SIZES = [16, 24, 32, 32, 48, 64];

export function atlasName(i) {
  return `atlas${String(i).padStart(2, '0')}`;
}

export function spriteName(a, i) {
  return `s${String(a).padStart(2, '0')}_${String(i).padStart(4, '0')}`;
}

/**
 * A game's manifests: `sprites` still sprites spread over `atlases` files, seeded sizes 16..64 and
 * prompts, a tenth of them with 4 frames. Stills keep the untimed cache fill short. `style` sets
 * every sprite's prompt_style.
 */
export async function writeManifests(root, { sprites, atlases, style }) {
  const r = seeded(sprites * 31 + atlases);
  await mkdir(join(root, 'manifests'), { recursive: true });
  const per = Math.ceil(sprites / atlases);
  for (let a = 0; a < atlases; a++) {
    const lines = [`atlas: ${atlasName(a)}`, 'defaults:', '  remove_bg: true', ...(style ? [`  prompt_style: ${style}`] : []), 'sprites:'];
    for (let i = 0; i < per && a * per + i < sprites; i++) {
      const thing = THINGS[Math.floor(r() * THINGS.length)];
      const look = LOOKS[Math.floor(r() * LOOKS.length)];
      lines.push(`  ${spriteName(a, i)}:`, `    prompt: ${look} ${thing} number ${a * per + i}`, `    size: ${SIZES[Math.floor(r() * SIZES.length)]}`, `    seed: ${1 + Math.floor(r() * 1e6)}`);
      if (r() < 0.1) lines.push('    num_images: 4');
    }
    await writeFile(join(root, 'manifests', `${atlasName(a)}.yaml`), lines.join('\n') + '\n');
  }
}

export const GAME_HTML = '<!doctype html><html><body><script type="module" src="./main.ts"></script></body></html>\n';
export const PLUGIN_MAIN = "import { packUrl, sprites, preload } from 'virtual:retro-sprites';\nconsole.log(packUrl, Object.keys(sprites).length, preload);\n";
export const STATIC_MAIN = "const packUrl = new URL('retro-sprites/pack.json', document.baseURI).href;\nconsole.log(packUrl);\n";

export async function writeGame(root, main) {
  await mkdir(root, { recursive: true });
  await writeFile(join(root, 'index.html'), GAME_HTML);
  await writeFile(join(root, 'main.ts'), main);
}

const CLI = join(REPO, 'plugin/bin/retro-sprites.js');

// The plugin as a game installs it: a package in node_modules, which Vite leaves out of the config
// bundle (a file URL import would be bundled into the config on every build).
const PLUGIN_CONFIG =
  "import { retroSprites } from 'vite-plugin-retro-sprites';\n" +
  "export default { plugins: [retroSprites({ provider: 'placeholder', dts: false })], build: { outDir: 'dist', emptyOutDir: true } };\n";
const STATIC_CONFIG = "export default { build: { outDir: 'dist', emptyOutDir: true } };\n";

/**
 * One game two ways, under `base`: `game` with the plugin and every sprite cached (placeholder
 * art, filled untimed), and `static`, the same game from the files `generate --out` wrote, copied
 * to public/. The baseline every whole-process figure of a game is compared with.
 */
async function writeGamePair(base, { sprites, atlases, log }) {
  const game = join(base, 'game');
  const plain = join(base, 'static');
  await writeManifests(game, { sprites, atlases });
  await writeGame(game, PLUGIN_MAIN);
  await writeFile(join(game, 'vite.config.mjs'), PLUGIN_CONFIG);
  await mkdir(join(game, 'node_modules'), { recursive: true });
  await symlink(PLUGIN, join(game, 'node_modules/vite-plugin-retro-sprites'), 'dir');
  log?.(`  filling the cache of ${sprites} sprites in ${atlases} atlases (untimed)`);
  await timeProcess(node, [CLI, 'generate', '--provider', 'placeholder', '--concurrency', '8'], { cwd: game });
  const out = join(base, 'out');
  await timeProcess(node, [CLI, 'generate', '--provider', 'placeholder', '--out', out], { cwd: game });
  await writeGame(plain, STATIC_MAIN);
  await writeFile(join(plain, 'vite.config.mjs'), STATIC_CONFIG);
  await cp(out, join(plain, 'public/retro-sprites'), { recursive: true });
  return { game, plain };
}

/** Runs `fn` on a fresh game pair (writeGamePair) in a folder of its own, removed afterwards. */
export async function withGamePair(what, fn) {
  const base = await mkdtemp(join(tmpdir(), 'retro-sprites-bench-'));
  try {
    return await fn(await writeGamePair(base, what));
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}
