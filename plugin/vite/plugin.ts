import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin, ResolvedConfig } from 'vite';
import { BuildMemo } from '../core/build-memo.js';
import { CacheFolder, resolveCacheDir } from '../core/cache/folder.js';
import { RetroSpritesError, userMessage } from '../core/errors.js';
import { formatCost } from '../core/generate/cost.js';
import { formatSummary, type ProgressReporter } from '../core/generate/progress.js';
import type { SessionOptions, Snapshot, SpriteSession } from '../core/session.js';
import { artOfKept, artOfSnapshot, buildContext, keptOfArt, type BuildArt } from './build-art.js';
import { declarations, defaultDtsPath, writeIfChanged } from './dts.js';
import { hashedName } from './hashed-name.js';
import type { ManifestFiles } from './manifest-files.js';
import type { RetroSpritesOptions } from './options.js';
import { RESOLVED_VIRTUAL_ID, VIRTUAL_ID, virtualKeys, virtualModuleCode, virtualTables, type VirtualTables } from './virtual-module.js';
import { manifestWarnings } from './warnings.js';
import { PLUGIN_NAME, toViteError } from './vite-error.js';

// The pipeline (manifests, cache, providers, packing) loads only when a build has to make its art
// or the dev server starts: a build kept by its inputs never pays for loading it.
const loadSession = () => import('../core/session.js');

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
    failed: (r, e) => log.error(`retro-sprites: ${r.atlas}/${r.sprite} failed: ${userMessage(e, 'vite')}`),
    finish: (s) => {
      if (s.sprites > 0) log.info(`retro-sprites: ${formatSummary(s)}`);
    },
  };
}

/**
 * `retroSprites()`: YAML manifests in, Phaser atlases out. In `vite build` the art is generated
 * (or read from the cache) and emitted with content-hashed names; a build whose inputs are all as
 * they were emits what it kept last time (core/build-memo.ts). In `vite` (dev) it is served from
 * memory and swapped in the running game when a manifest changes.
 */
export function retroSprites(options: RetroSpritesOptions = {}): Plugin {
  let config: ResolvedConfig;
  let session: SpriteSession | undefined;
  let manifestFiles: ManifestFiles | undefined;
  let devPackUrl = '';
  let ready: Promise<Snapshot | undefined> = Promise.resolve(undefined);
  let declared = (): Promise<void> => Promise.resolve();
  /** Build: the art each environment uses, and the pack URL expression of its virtual module. */
  const built = new Map<string, BuildArt>();
  const packUrls = new Map<string, string>();
  let loadedCode: string | undefined;
  let dtsWritten = false;
  const projectRoot = () => resolve(config.root, options.root ?? '.');

  const createSession = async (extra: Pick<SessionOptions, 'fileName' | 'packPath' | 'placeholdersFirst' | 'onUpdate' | 'pngEffort' | 'atlasMemo' | 'knownSignatures'>) => {
    const { SpriteSession } = await loadSession();
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
      face: 'vite',
      reporter: viteReporter(config),
      log: (line) => config.logger.info(`retro-sprites: ${line}`),
      ...extra,
    });
    if (s.project.providerNotice) config.logger.info(`retro-sprites: ${s.project.providerNotice}`);
    return s;
  };

  const virtualCode = (tables: VirtualTables, packUrl: string, dev: boolean) =>
    virtualModuleCode({ tables, packUrlExpr: JSON.stringify(packUrl), runtimeImport: runtimePath(), dev });
  const snapshotCode = (snapshot: Snapshot, packUrl: string) => virtualCode(virtualTables(virtualKeys(snapshot.requests, snapshot.keys)), packUrl, true);

  /** `text` is made only when a file is written (megabytes in a large game). */
  async function writeDts(text: () => string): Promise<void> {
    if (options.dts === false) return;
    const path = resolve(projectRoot(), options.dts ?? defaultDtsPath(projectRoot()));
    const changed = await writeIfChanged(path, text());
    if (changed && dtsWritten) config.logger.info(`retro-sprites: updated ${basename(path)}`);
    dtsWritten = true;
  }

  const warnings = manifestWarnings(() => config.logger, projectRoot);
  /** What a build keeps for the next one (its memo, the session's saves), written as Vite goes on. */
  let keeping: Promise<void> = Promise.resolve();

  /** A build's art: kept from the last build when nothing it was made from changed, else made. */
  async function buildArt(ctx: { error(e: unknown): never }): Promise<BuildArt> {
    const startedAt = Date.now();
    const root = projectRoot();
    const dir = `${config.build.assetsDir ? config.build.assetsDir + '/' : ''}retro-sprites`;
    // Pack URLs resolve against the page; an absolute base makes them independent of it.
    const packPath = /^(\/|[a-z]+:)/i.test(config.base) ? config.base : '';
    const context = buildContext(options, root, { base: packPath, assetsDir: dir, mode: config.mode });
    const folder = new CacheFolder(resolveCacheDir(root, options.cacheDir, process.env));
    const memo = context === undefined ? undefined : new BuildMemo(folder, context);
    const kept = await memo?.find();
    const art = kept && artOfKept(kept);
    if (art) {
      if (art.notice) config.logger.info(`retro-sprites: ${art.notice}`);
      config.logger.info(`retro-sprites: ${art.sprites} sprite${art.sprites === 1 ? '' : 's'}, unchanged since the last build: its output is reused (${Date.now() - startedAt} ms)`);
      return art;
    }
    const snapshot = await buildSnapshot(ctx, { fileName: (logical, bytes) => `${dir}/${hashedName(logical, bytes)}`, packPath, knownSignatures: memo?.knownSignatures() });
    const made = artOfSnapshot(snapshot, session?.project.providerNotice, options.dts !== false);
    // Kept while Vite bundles and writes, and awaited before the build ends (closeBundle): after the
    // session's own saves, which settle the entries this build wrote.
    const maker = session;
    keeping = keeping.then(async () => {
      await maker?.settled();
      if (!memo) return;
      const { manifestSearchDirs } = await import('../core/manifest/search-dirs.js');
      const dirs = await manifestSearchDirs(root, options.manifests, [folder.dir]);
      if (dirs) await memo.save({ files: made.watch, dirs, keys: snapshot.requests.map((r) => r.key), startedAt, signatures: snapshot.signatures }, keptOfArt(made));
    }).catch(() => undefined);
    return made;
  }

  /** The art made from the manifests and the cache (generating what is missing). */
  async function buildSnapshot(ctx: { error(e: unknown): never }, extra: Pick<SessionOptions, 'fileName' | 'packPath' | 'knownSignatures'>): Promise<Snapshot> {
    try {
      session = await createSession({ ...extra, placeholdersFirst: false, atlasMemo: true });
    } catch (err) {
      // Choosing the provider can fail (no key): said as Vite says errors, in the plugin's words.
      ctx.error(await toViteError(err));
    }
    let snapshot: Snapshot;
    try {
      snapshot = await session.refresh();
    } catch (err) {
      ctx.error(await toViteError(err));
    } finally {
      await session.project.provider.close?.();
      session.project.remote?.close();
    }
    if (snapshot.failures.length > 0) {
      const { GenerationFailedError } = await import('../core/generate/errors.js');
      ctx.error(await toViteError(new GenerationFailedError(snapshot.failures, projectRoot())));
    }
    return snapshot;
  }

  return {
    name: PLUGIN_NAME,
    // One instance for every environment of a build, so an SSR build after the client's reuses its art.
    sharedDuringBuild: true,

    configResolved(resolved) {
      config = resolved;
    },

    async buildStart() {
      if (config.command !== 'build') return;
      const env = this.environment;
      const client = isClient(env);
      // `vite build --watch` starts every rebuild here: the art is made again from the manifests.
      if (client || !built.has('client')) built.set(env.name, await buildArt(this));
      const art = (client ? built.get(env.name) : built.get('client') ?? built.get(env.name))!;
      // A server build imports the same keys; the files are the client build's to emit.
      if (!client) {
        const pack = art.files.find((f) => f.kind === 'pack');
        packUrls.set(env.name, pack ? config.base.replace(/\/?$/, '/') + pack.fileName : '');
        return;
      }
      warnings(art.warnings);
      // Rollup's watcher rebuilds when any of these change (`vite build --watch`).
      for (const file of art.watch) this.addWatchFile(file);
      for (const f of art.files) {
        const ref = this.emitFile({ type: 'asset', fileName: f.fileName, source: f.bytes });
        // Vite turns this placeholder into the pack's final URL, honouring `base`.
        if (f.kind === 'pack') packUrls.set(env.name, `__VITE_ASSET__${ref}__`);
      }
      const dts = art.dts;
      if (dts !== undefined) await writeDts(() => dts);
    },

    resolveId: {
      // Rolldown matches the id itself: every other import never calls into this plugin.
      filter: { id: new RegExp(`^${escapeRegExp(VIRTUAL_ID)}$`) },
      handler(id) {
        return id === VIRTUAL_ID ? RESOLVED_VIRTUAL_ID : undefined;
      },
    },

    load: {
      filter: { id: new RegExp(`^${escapeRegExp(RESOLVED_VIRTUAL_ID)}$`) },
      async handler(id) {
        if (id !== RESOLVED_VIRTUAL_ID) return undefined;
        if (config.command === 'build') {
          const art = built.get(this.environment.name) ?? built.get('client');
          if (!art) this.error(await toViteError(new RetroSpritesError('not-ready', 'retro-sprites has no art yet; see the error above')));
          return virtualCode(art.tables, packUrls.get(this.environment.name) ?? '', false);
        }
        let snapshot: Snapshot | undefined;
        try {
          snapshot = (await ready) ?? session?.current;
        } catch (err) {
          this.error(await toViteError(err));
        }
        if (!snapshot) this.error(await toViteError(new RetroSpritesError('not-ready', 'retro-sprites has no art yet; see the error above')));
        const code = snapshotCode(snapshot, devPackUrl);
        if (isClient(this.environment)) loadedCode = code;
        return code;
      },
    },

    async configureServer(server) {
      const [{ serveArt }, { ManifestFiles }] = await Promise.all([import('./dev-server.js'), import('./manifest-files.js')]);
      const dev = await serveArt(server, {
        config,
        options,
        createSession,
        writeDts: (snapshot) => writeDts(() => declarations(virtualKeys(snapshot.requests, snapshot.keys))),
        warnings,
        virtualCode: snapshotCode,
        loadedCode: () => loadedCode,
      });
      session = dev.session;
      manifestFiles = new ManifestFiles(session.project.root, options.manifests, session.project.cacheDir);
      devPackUrl = dev.packUrl;
      ready = dev.ready;
      declared = dev.declared;
    },

    hotUpdate({ file }) {
      // Manifests and their images are ours (the dev server's watcher handles them): no Vite reload.
      if (!session || !manifestFiles) return undefined;
      return manifestFiles.concerns(resolve(file), session.current) ? [] : undefined;
    },

    async closeBundle() {
      // What this build keeps is written first, then its provider closed. `vite build` waits for
      // both. In `--watch`, Vite closes a build without waiting while the next one may already have
      // started, and Rolldown lost that build's emitted files when the close ended during it
      // ("Unable to get file name for unknown file"): there the saves finish on their own.
      const ending = session;
      const closed = keeping.then(async () => {
        // The dev server's saves run behind its refreshes: whoever closes it (a restart, a test
        // removing the project) finds them written, not half-way.
        if (config.command === 'serve') await Promise.all([ending?.saved(), declared()]);
        await ending?.project.provider.close?.();
        ending?.project.remote?.close();
      });
      if (config.build.watch) closed.catch(() => undefined);
      else await closed;
    },
  };
}

/** The browser's environment: the only one that gets (and emits) the art. */
function isClient(env: { name: string; config: { consumer: string } } | undefined): boolean {
  return !env || env.config.consumer === 'client';
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
