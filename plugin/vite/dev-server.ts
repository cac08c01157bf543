import { resolve } from 'node:path';
import type { ResolvedConfig, ViteDevServer } from 'vite';
import type { SessionOptions, Snapshot, SpriteSession } from '../core/session.js';
import { hashedName } from './hashed-name.js';
import { changedSince, filesOf, stampFiles } from './file-stamps.js';
import { ManifestFiles } from './manifest-files.js';
import { devMiddleware, DEV_PREFIX } from './middleware.js';
import type { RetroSpritesOptions } from './options.js';
import { updateFor } from './update.js';
import { RESOLVED_VIRTUAL_ID, UPDATE_EVENT } from './virtual-module.js';
import { PLUGIN_NAME, toViteError } from './vite-error.js';

/** Edits arrive in bursts (an editor's save writes twice; a rename is unlink + add). */
const DEBOUNCE_MS = 30;
/**
 * Vite's watcher (chokidar) drops a file's change events for 50 ms after the one it reported, with
 * no event at the end of that window. Past it (and a margin), what a refresh read is compared once
 * more with the files: a save inside the window is read, not lost until the next one.
 */
const WATCHER_QUIET_MS = 65;

export interface DevServerContext {
  config: ResolvedConfig;
  options: RetroSpritesOptions;
  createSession(extra: Pick<SessionOptions, 'fileName' | 'packPath' | 'placeholdersFirst' | 'onUpdate' | 'pngEffort' | 'atlasMemo'>): Promise<SpriteSession>;
  writeDts(snapshot: Snapshot): Promise<void>;
  /** Prints the manifests' warnings in Vite's terminal (once per change). */
  warnings(list: Snapshot['plan']['warnings']): void;
  /** The virtual module's code for a snapshot, and the code the page last loaded. */
  virtualCode(snapshot: Snapshot, packUrl: string): string;
  loadedCode(): string | undefined;
}

/**
 * The dev server's side of the plugin: serve the art from memory, watch the manifests and the
 * images they reference, and tell the page what changed (`retro-sprites:update`), reload it when
 * the keys a scene can name changed, or show the error in the overlay.
 */
export interface ServedArt {
  session: SpriteSession;
  packUrl: string;
  /** The first art, served. */
  ready: Promise<Snapshot>;
  /** Resolves when the declarations asked for so far are written (the server waits for it on close). */
  declared(): Promise<void>;
}

export async function serveArt(server: ViteDevServer, ctx: DevServerContext): Promise<ServedArt> {
  const { config } = ctx;
  const base = config.base.endsWith('/') ? config.base : config.base + '/';
  const filesUrl = `${base}${DEV_PREFIX}/files/`;
  const packUrl = `${filesUrl}pack.json`;
  const served = new Map<string, Uint8Array>();
  let pendingError = false;
  let published: Snapshot | undefined;

  // The art is the browser's: its environment's HMR channel and module graph, not the shared socket.
  const client = server.environments.client;
  // The declarations are the editor's and tsc's, not the page's: made and written after the art is
  // out (at 8000 sprites making them takes about 140 ms), one after another.
  let declaring: Promise<void> = Promise.resolve();
  const declare = (snapshot: Snapshot): void => {
    declaring = declaring.then(() => ctx.writeDts(snapshot)).catch(fail);
  };
  const publish = async (snapshot: Snapshot, initial: boolean): Promise<void> => {
    try {
      await show(snapshot, initial);
    } finally {
      declare(snapshot);
    }
  };
  const show = async (snapshot: Snapshot, initial: boolean): Promise<void> => {
    for (const f of snapshot.files) served.set(f.fileName, f.bytes);
    ctx.warnings(snapshot.plan.warnings);
    const previous = published;
    published = snapshot;
    if (initial) return;
    const mod = client.moduleGraph.getModuleById(RESOLVED_VIRTUAL_ID);
    const loaded = ctx.loadedCode();
    if (mod && loaded !== undefined && loaded !== ctx.virtualCode(snapshot, packUrl)) {
      // New or removed keys change what scenes can name: reload so every import sees them.
      client.moduleGraph.invalidateModule(mod);
      client.hot.send({ type: 'full-reload' });
      return;
    }
    const update = updateFor(previous, snapshot, filesUrl, pendingError);
    pendingError = false;
    // A save that changed nothing (or only comments) is not news for the page.
    if (update.atlases.length + update.images.length + update.anims.length === 0 && !update.clearError) return;
    client.hot.send({ type: 'custom', event: UPDATE_EVENT, data: update });
  };

  const fail = async (err: unknown): Promise<void> => {
    const e = await toViteError(err);
    config.logger.error(`${e.message}${e.frame ? '\n' + e.frame : ''}`, { timestamp: true });
    pendingError = true;
    client.hot.send({ type: 'error', err: { message: e.message, stack: e.stack ?? '', id: e.id, frame: e.frame, loc: e.loc, plugin: PLUGIN_NAME } });
  };

  const session = await ctx.createSession({
    fileName: (logical, bytes) => (logical === 'pack.json' ? logical : hashedName(logical, bytes)),
    packPath: filesUrl,
    placeholdersFirst: true,
    // Pages are re-encoded on every edit: a quick PNG beats the last percent of size here.
    pngEffort: 'fast',
    // A start with nothing changed serves the atlases as the last run left them, and reads the
    // sprites behind them (at 8000 sprites, the art is out 1.0 s after the start instead of 2.4).
    atlasMemo: true,
    onUpdate: (snapshot) => void publish(snapshot, false).catch(fail),
  });
  const ready = session.refresh().then(async (snapshot) => {
    await publish(snapshot, true);
    return snapshot;
  });
  ready.catch(fail);

  let timer: NodeJS.Timeout | undefined;
  const forced = new Set<string>();
  // Each change bumps this; a refresh whose change was overtaken by a newer one tells the page
  // nothing (an editor's save can arrive as a truncate and a write: the half-written file's error
  // must not flash in the overlay when the whole file is already on its way).
  let latest = 0;
  // Files the watcher named since the last refresh began: with the snapshot's own, what is stamped.
  const named = new Set<string>();
  // When the watcher last reported a file of ours (its quiet window runs from there).
  let heardAt = 0;
  const watching = (): boolean => !(server.watcher as { closed?: boolean }).closed;
  const schedule = (keys: Iterable<string> = [], changed?: string): void => {
    for (const k of keys) forced.add(k);
    if (changed) named.add(changed);
    latest++;
    clearTimeout(timer);
    timer = setTimeout(() => {
      // The server closed meanwhile: nothing more is written into a project that may be going away.
      if (!watching()) return;
      const refresh = new Set(forced);
      forced.clear();
      const mine = latest;
      const watched = [...filesOf(session.current), ...named];
      named.clear();
      const run = async (): Promise<void> => {
        const before = await stampFiles(watched);
        const outcome = await session.refresh({ refresh }).then(
          (snapshot) => ({ snapshot }),
          (error: unknown) => ({ error }),
        );
        if (mine !== latest) return;
        // A save the watcher did not report (see file-stamps.ts) is read now, not at the next one.
        if (await changedSince(before)) return schedule();
        const quiet = heardAt + WATCHER_QUIET_MS - Date.now();
        if (quiet > 0) {
          setTimeout(() => {
            if (mine !== latest || !watching()) return;
            changedSince(before).then((changed) => changed && mine === latest && watching() && schedule(), () => undefined);
          }, quiet).unref();
        }
        if ('snapshot' in outcome) await publish(outcome.snapshot, false);
        else await fail(outcome.error);
      };
      run().catch(fail);
    }, DEBOUNCE_MS);
  };

  const files = new ManifestFiles(session.project.root, ctx.options.manifests, session.project.cacheDir);
  // The manifests may live outside Vite's root (a game in a subfolder): watch their folders too.
  for (const folder of files.folders) server.watcher.add(folder);
  // The cache lives under the manifests: watching it costs an OS watch per folder and an event per
  // file written (the committed cache can hold thousands of entries), every one of them ignored anyway.
  server.watcher.unwatch(session.project.cacheDir);
  server.watcher.on('all', (_event, file) => {
    const path = resolve(file);
    if (!files.concerns(path, session.current)) return;
    heardAt = Date.now();
    schedule([], path);
  });
  server.middlewares.use(devMiddleware({ base, session, served, root: session.project.root, regenerate: schedule }));
  return { session, packUrl, ready, declared: () => declaring };
}
