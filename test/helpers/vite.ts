import { join } from 'node:path';
import { build, type Logger } from 'vite';
import { retroSprites, type RetroSpritesOptions } from '../../plugin/index.js';

/** A Vite logger that keeps every line, so tests can read what a user would see in the terminal. */
export function collectingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const warned = new Set<string>();
  const push = (msg: string): void => {
    lines.push(msg);
  };
  return {
    lines,
    info: push,
    warn: push,
    warnOnce: (m) => {
      if (!warned.has(m)) push(m);
      warned.add(m);
    },
    error: push,
    clearScreen: () => undefined,
    hasErrorLogged: () => false,
    hasWarned: false,
  };
}

export const GAME_MANIFEST = `# yaml-language-server: $schema=../node_modules/vite-plugin-retro-sprites/schema/manifest.schema.json
atlas: heroes
defaults:
  size: 32
  remove_bg: true
sprites:
  hero:
    prompt: knight in blue armor
    seed: 42
  coin:
    prompt: gold coin
    num_images: 4
    animation: true
  walker:
    prompt: green slime
    prompt_style: animation_four_angle_walking
    size: 48
  grass:
    prompt: lush grass
    prompt_style: texture
    tile_x: true
    tile_y: true
`;

/** The page of every test game: it loads main.ts. */
export const GAME_HTML = '<!doctype html><html><body><script type="module" src="./main.ts"></script></body></html>\n';

export const GAME_FILES = {
  'index.html': GAME_HTML,
  'main.ts': "import { packUrl, sprites, preload } from 'virtual:retro-sprites';\nconsole.log(packUrl, sprites.hero, preload);\n",
  'manifests/heroes.yaml': GAME_MANIFEST,
};

/**
 * `vite build` of a test project with the plugin, as a user runs it, into `<root>/dist`. What the
 * terminal would show lands in `logger` (also when the build fails).
 */
export async function buildWithPlugin(
  root: string,
  options: RetroSpritesOptions = {},
  logger: Logger & { lines: string[] } = collectingLogger(),
): Promise<Logger & { lines: string[] }> {
  await build({
    root,
    configFile: false,
    customLogger: logger,
    logLevel: 'info',
    plugins: [retroSprites(options)],
    build: { outDir: join(root, 'dist'), emptyOutDir: true },
  });
  return logger;
}
