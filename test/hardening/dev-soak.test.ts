import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';
import { startDev, until, type Dev } from '../helpers/dev-server.js';
import { GAME_HTML } from '../helpers/vite.js';

const tempDir = useTempDirs();
let dev: Dev | undefined;
afterEach(async () => {
  await dev?.server.close();
  dev = undefined;
});

const EDITS = 200;
/** A loaded CI machine (two suites at once, browsers among them) can stall one refresh for seconds. */
const PATIENCE_MS = 60_000;

const good = (i: number) => `atlas: items\ndefaults:\n  size: 16\nsprites:\n  gem:\n    prompt: a gem cut ${i} times\n    seed: ${i}\n  key:\n    prompt: a brass key\n`;
/** Two kinds of mistakes, in turn: one the schema catches, one the YAML parser does. */
const bad = (i: number) => (i % 4 === 1
  ? `atlas: items\ndefaults:\n  size: 16\nsprites:\n  gem:\n    prompt: a gem cut ${i} times\n    seed: -${i}\n  key:\n    prompt: a brass key\n`
  : `atlas: items\ndefaults:\n  size: 16\nsprites:\n  gem:\n    prompt: "a gem cut ${i} times\n  key:\n    prompt: a brass key\n`);

describe('dev server soak', () => {
  it(`${EDITS} manifest edits in a row, good and bad in turn: each reaches the page, memory stays flat, no watcher leaks`, async () => {
    const root = await tempDir();
    await writeProject(root, {
      'index.html': GAME_HTML,
      'main.ts': "import { packUrl } from 'virtual:retro-sprites';\nconsole.log(packUrl);\n",
      'manifests/items.yaml': good(0),
    });
    dev = await startDev(root, { provider: 'placeholder' });
    const { server, sent } = dev;
    const manifest = join(root, 'manifests/items.yaml');
    const watcherListeners = () => server.watcher.eventNames().reduce((n, e) => n + server.watcher.listenerCount(e), 0);
    // Measured after a first good and bad edit: what Vite opens once (watches on the client
    // runtime's modules and the tsconfig it transforms them with) is not a leak per edit.
    const WARM_UP = 2;
    let listenersBefore = 0;
    let handleTypesBefore: string[] = [];
    let handlesBefore = 0;
    let rssBefore = 0;

    // A wait that times out says what the watcher last saw, what the server last logged and sent,
    // and what its page shows.
    const seen: string[] = [];
    server.watcher.on('all', (event, file) => seen.push(`${Date.now() % 100_000} ${event} ${file.slice(root.length)}`));
    const explain = async (err: Error): Promise<never> => {
      const messages = sent.slice(-6).map((m) => ({ type: m.type, event: m.event, atlases: m.data?.atlases.map((a) => a.key), error: m.err?.message.slice(0, 160) }));
      throw new Error(`${err.message} (written at ${written % 100_000})\nlast watcher events: ${JSON.stringify(seen.slice(-6))}\nlast log lines: ${JSON.stringify(dev!.logger.lines.slice(-12))}\nlast messages: ${JSON.stringify(messages)}\nstate: ${JSON.stringify(await dev!.state())}`);
    };
    let written = 0;
    let lastKey = (await dev.state()).find((s) => s.sprite === 'items/gem')!.key;
    for (let i = 1; i <= EDITS; i++) {
      if (i === WARM_UP + 1) {
        listenersBefore = watcherListeners();
        handleTypesBefore = process.getActiveResourcesInfo();
        handlesBefore = handleTypesBefore.length;
        rssBefore = process.memoryUsage().rss;
      }
      const updates = sent.filter((m) => m.event === 'retro-sprites:update').length;
      const errors = sent.filter((m) => m.type === 'error').length;
      const isGood = i % 2 === 0;
      await writeFile(manifest, isGood ? good(i) : bad(i));
      written = Date.now();
      if (isGood) {
        const update = await until(`the update of edit ${i}`, () => sent.filter((m) => m.event === 'retro-sprites:update')[updates], PATIENCE_MS).catch(explain);
        expect(update.data!.atlases.map((a) => a.key)).toEqual(['items']);
        expect(update.data!.clearError).toBe(true);
        // The page's state names the new request: its key moved with the prompt and seed.
        const gem = (await dev.state()).find((s) => s.sprite === 'items/gem')!;
        expect(gem.key).not.toBe(lastKey);
        expect(['generated', 'cached']).toContain(gem.status);
        lastKey = gem.key;
      } else {
        const error = await until(`the error of edit ${i}`, () => sent.filter((m) => m.type === 'error')[errors], PATIENCE_MS).catch(explain);
        expect(error.err!.loc).toMatchObject({ file: manifest });
        expect(error.err!.message).toMatch(/manifests\/items\.yaml:\d+:\d+/);
      }
    }

    const rssAfter = process.memoryUsage().rss;
    const histogram = (list: string[]) => Object.entries(list.reduce<Record<string, number>>((h, t) => ({ ...h, [t]: (h[t] ?? 0) + 1 }), {})).map(([t, n]) => `${t}:${n}`).join(' ');
    console.log(`handles before ${histogram(handleTypesBefore)}; after ${histogram(process.getActiveResourcesInfo())}`);
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    console.log(`dev soak: ${EDITS} edits; RSS ${mb(rssBefore)} MB -> ${mb(rssAfter)} MB (${mb(rssAfter - rssBefore)} MB); watcher listeners ${listenersBefore} -> ${watcherListeners()}; active handles ${handlesBefore} -> ${process.getActiveResourcesInfo().length}`);
    expect(sent.filter((m) => m.event === 'retro-sprites:update')).toHaveLength(EDITS / 2);
    expect(sent.filter((m) => m.type === 'error')).toHaveLength(EDITS / 2);
    expect(sent.filter((m) => m.type === 'full-reload')).toHaveLength(0);
    expect(rssAfter - rssBefore).toBeLessThan(150 * 1024 * 1024);
    expect(watcherListeners()).toBe(listenersBefore);
    expect(process.getActiveResourcesInfo().length).toBeLessThanOrEqual(handlesBefore + 2);
  }, 240_000);
});
