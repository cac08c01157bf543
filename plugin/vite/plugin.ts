import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin, ResolvedConfig } from 'vite';
import { RetroSpritesError } from '../core/errors.js';
import { formatCost } from '../core/generate/cost.js';
import { GenerationFailedError } from '../core/generate/errors.js';
import { formatSummary, type ProgressReporter } from '../core/generate/progress.js';
import { SpriteSession, type SessionOptions, type Snapshot } from '../core/session.js';
import { serveArt } from './dev-server.js';
import { declarations, writeIfChanged } from './dts.js';
import { hashedName } from './hashed-name.js';
import { ManifestFiles } from './manifest-files.js';
import type { RetroSpritesOptions } from './options.js';
import { RESOLVED_VIRTUAL_ID, VIRTUAL_ID, virtualKeys, virtualModuleCode } from './virtual-module.js';
import { PLUGIN_NAME, toViteError } from './vite-error.js';

/** The browser runtime next to this file: `.ts` when run from source, `.js` from dist. */
function runtimePath(): string {
  for (const ext of ['.js', '.ts']) {
    const p = fileURLToPath(new URL(`../client/index${ext}`, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new RetroSpritesError('install', 'vite-plugin-retro-sprites is incomplete: its client runtime is missing; reinstall it');
}

/** Vite's terminal view of a run: the plan, a line per generated sprite (n/total), the summary. */
function viteReporter(config: ResolvedConfig): ProgressReporter {
  const log = config.logger;
  let total = 0;
  let finished = 0;
  return {
    plan: (s) => {
      total = s.toGenerate;
      finished = 0;
      if (s.toGenerate > 0) log.info(`retro-sprites: ${s.toGenerate} of ${s.sprites} sprites to generate${s.estimate ? `, estimated cost ${formatCost(s.estimate)}` : ''}`);
    },
    done: (r, info) => log.info(`retro-sprites: ${r.atlas}/${r.sprite} ${(info.ms / 1000).toFixed(1)}s (${++finished}/${total})`),
    warn: (m) => log.warn(`retro-sprites: ${m}`),
    failed: (r, e) => log.error(`retro-sprites: ${r.atlas}/${r.sprite} failed: ${e.message}`),
    finish: (s) => {
      if (s.sprites > 0) log.info(`retro-sprites: ${formatSummary(s)}`);
    },
  };
}

/**
 * `retroSprites()`: YAML manifests in, Phaser atlases out. In `vite build` the art is generated
 * (or read from the cache) and emitted with content-hashed names; in `vite` (dev) it is served from
 * memory and swapped in the running game when a manifest changes.
 */
export function retroSprites(options: RetroSpritesOptions = {}): Plugin {
  let config: ResolvedConfig;
  let session: SpriteSession | undefined;
  let packUrlExpr = '';
  let ready: Promise<Snapshot | undefined> = Promise.resolve(undefined);
  let loadedCode: string | undefined;
  let dtsWritten = false;
  const projectRoot = () => resolve(config.root, options.root ?? '.');

  const createSession = (extra: Pick<SessionOptions, 'fileName' | 'packPath' | 'placeholdersFirst' | 'onUpdate' | 'pngEffort' | 'atlasMemo'>) => {
    const s = new SpriteSession({
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
      remoteCache: options.remoteCache,
      remoteCacheFrom: 'remoteCache option',
      atlas: { maxSize: options.maxSize, padding: options.padding, extrude: options.extrude, pot: options.pot, trim: options.trim },
      reporter: viteReporter(config),
      log: (line) => config.logger.info(`retro-sprites: ${line}`),
      ...extra,
    });
    if (s.project.providerNotice) config.logger.info(`retro-sprites: ${s.project.providerNotice}`);
    return s;
  };

  const virtualCode = (snapshot: Snapshot, packUrl: string, dev: boolean) =>
    virtualModuleCode({ keys: virtualKeys(snapshot.requests, snapshot.keys), packUrlExpr: JSON.stringify(packUrl), runtimeImport: runtimePath(), dev });

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
      session = createSession({
        fileName: (logical, bytes) => `${dir}/${hashedName(logical, bytes)}`,
        // Pack URLs resolve against the page; an absolute base makes them independent of it.
        packPath: absoluteBase ? config.base : '',
        placeholdersFirst: false,
        atlasMemo: true,
      });
      let snapshot: Snapshot;
      try {
        snapshot = await session.refresh();
      } catch (err) {
        this.error(await toViteError(err));
      } finally {
        await session.project.provider.close?.();
        session.project.remote?.close();
      }
      if (snapshot.failures.length > 0) this.error(await toViteError(new GenerationFailedError(snapshot.failures, projectRoot())));
      for (const f of snapshot.files) {
        const ref = this.emitFile({ type: 'asset', fileName: f.fileName, source: f.bytes });
        // Vite turns this placeholder into the pack's final URL, honouring `base`.
        if (f.kind === 'pack') packUrlExpr = `__VITE_ASSET__${ref}__`;
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
      loadedCode = virtualCode(snapshot, packUrlExpr, config.command === 'serve');
      return loadedCode;
    },

    configureServer(server) {
      const dev = serveArt(server, {
        config,
        options,
        createSession,
        writeDts,
        virtualCode: (snapshot, packUrl) => virtualCode(snapshot, packUrl, true),
        loadedCode: () => loadedCode,
      });
      session = dev.session;
      packUrlExpr = dev.packUrl;
      ready = dev.ready;
    },

    hotUpdate({ file }) {
      // Manifests and their images are ours (the dev server's watcher handles them): no Vite reload.
      if (!session) return undefined;
      const files = new ManifestFiles(session.project.root, options.manifests, session.project.cacheDir);
      return files.concerns(resolve(file), session.current) ? [] : undefined;
    },

    async closeBundle() {
      await session?.project.provider.close?.();
      session?.project.remote?.close();
    },
  };
}
