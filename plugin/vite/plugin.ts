import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin, ResolvedConfig, ViteDevServer } from 'vite';
import { ManifestError, RetroSpritesError } from '../core/errors.js';
import { formatCost } from '../core/generate/cost.js';
import { GenerationFailedError } from '../core/generate/errors.js';
import type { ProgressReporter, RunSummary } from '../core/generate/progress.js';
import { DEFAULT_MANIFEST_GLOB } from '../core/manifest/index.js';
import { SpriteSession, type Snapshot } from '../core/session.js';
import { codeFrame } from './code-frame.js';
import { declarations, writeIfChanged } from './dts.js';
import { devMiddleware, DEV_PREFIX } from './middleware.js';
import type { RetroSpritesOptions } from './options.js';
import { updateFor } from './update.js';
import { RESOLVED_VIRTUAL_ID, UPDATE_EVENT, VIRTUAL_ID, virtualKeys, virtualModuleCode } from './virtual-module.js';

const PLUGIN_NAME = 'vite-plugin-retro-sprites';

/** The folder part of a glob before its first wildcard: `manifests/**\/*.yaml` → `manifests`. */
function globBase(pattern: string): string {
  const parts = pattern.split('/');
  const fixed: string[] = [];
  for (const p of parts) {
    if (/[*?[\]{}()!]/.test(p)) break;
    fixed.push(p);
  }
  return fixed.join('/') || '.';
}
const DEBOUNCE_MS = 80;

/** The browser runtime next to this file: `.ts` when run from source, `.js` from dist. */
function runtimePath(): string {
  for (const ext of ['.js', '.ts']) {
    const p = fileURLToPath(new URL(`../client/index${ext}`, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new RetroSpritesError('install', 'vite-plugin-retro-sprites is incomplete: its client runtime is missing; reinstall it');
}

function shortHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url').slice(0, 8);
}

function withHash(logical: string, bytes: Uint8Array): string {
  const ext = logical.endsWith('.anims.json') ? '.anims.json' : extname(logical);
  return `${logical.slice(0, logical.length - ext.length)}-${shortHash(bytes)}${ext}`;
}

export function summaryLine(s: RunSummary): string {
  const failed = s.failed ? `, ${s.failed} failed` : '';
  return `retro-sprites: ${s.sprites} sprites, ${s.cached} cached, ${s.generated} generated${failed} in ${(s.durationMs / 1000).toFixed(1)}s, cost ${formatCost(s.spent)}`;
}

/** A Rollup/Vite error with the manifest location and a code frame, for the terminal and the overlay. */
async function toViteError(err: unknown): Promise<Error & { id?: string; loc?: { file: string; line: number; column: number }; frame?: string; plugin?: string }> {
  if (err instanceof ManifestError && err.first) {
    const d = err.first;
    const source = await readFile(d.location.file, 'utf8').catch(() => '');
    return Object.assign(new Error(err.message), {
      id: d.location.file,
      loc: { file: d.location.file, line: d.location.line, column: d.location.column },
      frame: source ? codeFrame(source, d.location.line, d.location.column) : undefined,
      plugin: PLUGIN_NAME,
      stack: '',
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return Object.assign(new Error(message), { plugin: PLUGIN_NAME, stack: err instanceof RetroSpritesError ? '' : (err as Error)?.stack ?? '' });
}

/**
 * `retroSprites()`: YAML manifests in, Phaser atlases out. In `vite build` the art is generated
 * (or read from the cache) and emitted with content-hashed names; in `vite` (dev) it is served from
 * memory and swapped in the running game when a manifest changes.
 */
export function retroSprites(options: RetroSpritesOptions = {}): Plugin {
  let config: ResolvedConfig;
  let session: SpriteSession | undefined;
  let packRef: string | undefined;
  let devPackUrl = '';
  let ready: Promise<Snapshot | undefined> = Promise.resolve(undefined);
  let lastCode: string | undefined;
  let dtsWritten = false;
  const projectRoot = () => resolve(config.root, options.root ?? '.');

  /** Vite's terminal view of a run: the plan, a line per generated sprite (n/total), the summary. */
  const reporter = (): ProgressReporter => {
    let total = 0;
    let finished = 0;
    return {
      plan: (s) => {
        total = s.toGenerate;
        finished = 0;
        if (s.toGenerate > 0) config.logger.info(`retro-sprites: ${s.toGenerate} of ${s.sprites} sprites to generate, estimated cost ${formatCost(s.estimate)}`);
      },
      done: (r, info) => config.logger.info(`retro-sprites: ${r.atlas}/${r.sprite} ${(info.ms / 1000).toFixed(1)}s (${++finished}/${total})`),
      warn: (m) => config.logger.warn(`retro-sprites: ${m}`),
      failed: (r, e) => config.logger.error(`retro-sprites: ${r.atlas}/${r.sprite} failed: ${e.message}`),
      finish: (s) => {
        if (s.sprites > 0) config.logger.info(summaryLine(s));
      },
    };
  };

  const sessionFor = (extra: { fileName: (l: string, b: Uint8Array) => string; packPath: string; placeholdersFirst: boolean; onUpdate?: (s: Snapshot) => void }) =>
    new SpriteSession({
      root: projectRoot(),
      manifests: options.manifests,
      cacheDir: options.cacheDir,
      provider: options.provider,
      apiKey: options.apiKey,
      maxCost: options.maxCost,
      frozen: options.frozen,
      concurrency: options.concurrency,
      allowUnknownStyles: options.allowUnknownStyles,
      api: options.api,
      atlas: { maxSize: options.maxSize, padding: options.padding, extrude: options.extrude, pot: options.pot, trim: options.trim },
      reporter: reporter(),
      log: (line) => config.logger.info(`retro-sprites: ${line}`),
      ...extra,
    });

  async function writeDts(snapshot: Snapshot): Promise<void> {
    if (options.dts === false) return;
    const path = resolve(projectRoot(), options.dts ?? 'retro-sprites.d.ts');
    const changed = await writeIfChanged(path, declarations(virtualKeys(snapshot.requests, snapshot.keys)));
    if (changed && dtsWritten) config.logger.info(`retro-sprites: updated ${basename(path)}`);
    dtsWritten = true;
  }

  return {
    name: PLUGIN_NAME,

    configResolved(resolved) {
      config = resolved;
    },

    async buildStart() {
      if (config.command !== 'build') return;
      const dir = `${config.build.assetsDir ? config.build.assetsDir + '/' : ''}retro-sprites`;
      const absoluteBase = /^(\/|[a-z]+:)/i.test(config.base);
      session = sessionFor({
        fileName: (logical, bytes) => `${dir}/${withHash(logical, bytes)}`,
        // Pack URLs resolve against the page; an absolute base makes them independent of it.
        packPath: absoluteBase ? config.base : '',
        placeholdersFirst: false,
      });
      if (session.project.providerNotice) config.logger.info(`retro-sprites: ${session.project.providerNotice}`);
      let snapshot: Snapshot;
      try {
        snapshot = await session.refresh();
      } catch (err) {
        this.error(await toViteError(err));
      } finally {
        await session.project.provider.close?.();
      }
      if (snapshot.failures.length > 0) this.error(await toViteError(new GenerationFailedError(snapshot.failures, projectRoot())));
      for (const f of snapshot.files) {
        const ref = this.emitFile({ type: 'asset', fileName: f.fileName, source: f.bytes });
        if (f.kind === 'pack') packRef = ref;
      }
      await writeDts(snapshot);
      ready = Promise.resolve(snapshot);
    },

    resolveId(id) {
      return id === VIRTUAL_ID ? RESOLVED_VIRTUAL_ID : undefined;
    },

    async load(id) {
      if (id !== RESOLVED_VIRTUAL_ID) return undefined;
      let snapshot: Snapshot | undefined;
      try {
        snapshot = (await ready) ?? session?.current;
      } catch (err) {
        this.error(await toViteError(err));
      }
      if (!snapshot) this.error(await toViteError(new RetroSpritesError('not-ready', 'retro-sprites has no art yet; see the error above')));
      const dev = config.command === 'serve';
      const code = virtualModuleCode({
        keys: virtualKeys(snapshot.requests, snapshot.keys),
        packUrlExpr: dev ? JSON.stringify(devPackUrl) : JSON.stringify(`__VITE_ASSET__${packRef}__`),
        runtimeImport: runtimePath(),
        dev,
      });
      lastCode = code;
      return code;
    },

    configureServer(server: ViteDevServer) {
      const base = config.base.endsWith('/') ? config.base : config.base + '/';
      const filesUrl = `${base}${DEV_PREFIX}/files/`;
      devPackUrl = `${filesUrl}pack.json`;
      const served = new Map<string, Uint8Array>();
      let pendingError = false;
      let published: Snapshot | undefined;

      const publish = async (snapshot: Snapshot, initial: boolean) => {
        for (const f of snapshot.files) served.set(f.fileName, f.bytes);
        await writeDts(snapshot);
        const mod = server.moduleGraph.getModuleById(RESOLVED_VIRTUAL_ID);
        const keysChanged = mod && lastCode !== undefined && lastCode !== virtualModuleCode({
          keys: virtualKeys(snapshot.requests, snapshot.keys),
          packUrlExpr: JSON.stringify(devPackUrl),
          runtimeImport: runtimePath(),
          dev: true,
        });
        const previous = published;
        published = snapshot;
        if (initial) return;
        if (keysChanged && mod) {
          // New or removed keys change what scenes can name: reload so every import sees them.
          server.moduleGraph.invalidateModule(mod);
          server.ws.send({ type: 'full-reload' });
          return;
        }
        const update = updateFor(previous, snapshot, filesUrl, pendingError);
        pendingError = false;
        // A save that changed nothing (or only comments) is not news for the page.
        if (update.atlases.length + update.images.length + update.anims.length === 0 && !update.clearError) return;
        server.ws.send({ type: 'custom', event: UPDATE_EVENT, data: update });
      };

      const fail = async (err: unknown) => {
        const e = await toViteError(err);
        config.logger.error(`${e.message}${e.frame ? '\n' + e.frame : ''}`, { timestamp: true });
        pendingError = true;
        server.ws.send({ type: 'error', err: { message: e.message, stack: e.stack ?? '', id: e.id, frame: e.frame, loc: e.loc, plugin: PLUGIN_NAME } });
      };

      session = sessionFor({
        fileName: (logical, bytes) => (logical === 'pack.json' ? logical : withHash(logical, bytes)),
        packPath: filesUrl,
        placeholdersFirst: true,
        onUpdate: (snapshot) => void publish(snapshot, false).catch(fail),
      });
      if (session.project.providerNotice) config.logger.info(`retro-sprites: ${session.project.providerNotice}`);
      const s = session;
      ready = s.refresh().then(async (snapshot) => {
        await publish(snapshot, true);
        return snapshot;
      });
      ready.catch(fail);

      let timer: NodeJS.Timeout | undefined;
      const schedule = (force?: ReadonlySet<string>) => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          const run = s.refresh(force ? { refresh: force } : {});
          run.then((snapshot) => publish(snapshot, false)).catch(fail);
        }, DEBOUNCE_MS);
      };

      const cacheDir = s.project.cacheDir + sep;
      const relevant = (file: string): boolean => {
        if (file.startsWith(cacheDir)) return false;
        const current = s.current;
        if (/\.ya?ml$/i.test(file)) return true;
        if (!current) return true; // the last load failed: any new file may be the missing one
        return current.requests.some((r) => r.dependencies.includes(file));
      };
      // The manifests may live outside Vite's root (a game in a subfolder): watch their folders too.
      for (const pattern of [options.manifests ?? DEFAULT_MANIFEST_GLOB].flat()) server.watcher.add(resolve(s.project.root, globBase(pattern)));
      // The cache lives under the manifests: watching it costs one OS watch per entry folder (the
      // committed cache can hold thousands) and every event from it is ignored anyway.
      server.watcher.unwatch(s.project.cacheDir);
      server.watcher.on('all', (_event, file) => {
        if (relevant(resolve(file))) schedule();
      });

      server.middlewares.use(devMiddleware({ base, session: s, served, root: s.project.root, regenerate: (keys) => schedule(keys) }));
    },

    hotUpdate({ file }) {
      // Manifests and their images are ours: the watcher above handles them; keep Vite from reloading.
      if (/\.ya?ml$/i.test(file)) return [];
      if (session?.current?.requests.some((r) => r.dependencies.includes(resolve(file)))) return [];
      return undefined;
    },

    async closeBundle() {
      await session?.project.provider.close?.();
    },
  };
}
