import { cacheKey } from '../../core/cache-key.js';
import { runPool } from '../../core/pool.js';
import { loadProjectPlan, openProject, type Project } from '../../core/project.js';
import { PLACEHOLDER_ID, PLACEHOLDER_VERSION } from '../../core/providers/placeholder/index.js';
import { RETRODIFFUSION_ID, RETRODIFFUSION_VERSION } from '../../core/providers/retrodiffusion/index.js';
import { RetroSpritesError } from '../../core/errors.js';
import { RemoteError } from '../../core/cache/remote/backend.js';
import type { RemoteCache } from '../../core/cache/remote/remote-cache.js';
import { MAX_RECORD_BYTES } from '../../core/cache/remote/verify.js';
import type { Command, CommandContext } from '../command.js';
import { projectOptions } from './shared.js';

const KNOWN_PROVIDERS = [
  { id: RETRODIFFUSION_ID, version: RETRODIFFUSION_VERSION },
  { id: PLACEHOLDER_ID, version: PLACEHOLDER_VERSION },
];

interface RemoteView {
  keys: Set<string>;
  /** False for Turborepo: it cannot list, so only the keys we asked about are known. */
  complete: boolean;
}

/** Keys the manifests name, under every provider they could be generated with. */
async function referencedKeys(project: Project): Promise<string[]> {
  const { plan } = await loadProjectPlan(project);
  const out = new Set<string>();
  for (const r of plan.requests) for (const p of KNOWN_PROVIDERS) out.add(cacheKey(r.payload, p));
  return [...out];
}

/** What the remote holds: its listing, or (no listing) which of `candidates` it has. */
async function remoteKeys(remote: RemoteCache, candidates: () => Promise<string[]>): Promise<RemoteView> {
  const listed = await remote.backend.listKeys();
  if (listed) return { keys: new Set(listed), complete: true };
  const asked = await candidates();
  const batched = await remote.backend.findRecords(asked);
  if (batched) return { keys: batched, complete: false };
  const keys = new Set<string>();
  await runPool(asked, 16, async (key) => {
    if (await remote.backend.get({ kind: 'record', key }, MAX_RECORD_BYTES)) keys.add(key);
  });
  return { keys, complete: false };
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export const cacheCommand: Command = {
  usage: [
    'subcommands:',
    '  status             count the entries that are local only, remote only, and in both',
    '  push               upload every local entry the remote lacks (records last; verified first)',
    '  pull               download every remote entry the local cache lacks (verified before it is kept)',
    '',
    'The remote comes from --remote URL or RETRO_SPRITES_REMOTE: s3://bucket/prefix (AWS_* variables)',
    'or https://… speaking the Turborepo remote cache API (TURBO_TOKEN, TURBO_TEAM). Turborepo\'s API',
    'cannot list, so there "remote" means the entries the local cache and the manifests name.',
  ].join('\n'),
  options: {},
  async run(ctx: CommandContext): Promise<number> {
    const { io } = ctx;
    const sub = ctx.positionals[0];
    if (sub !== 'push' && sub !== 'pull' && sub !== 'status') {
      throw new RetroSpritesError('bad-flag', `cache takes push, pull or status${sub ? `, not "${sub}"` : ''}. See \`retro-sprites help cache\`.`);
    }
    // Moving entries never generates: no key is needed.
    const project = openProject({ ...projectOptions(ctx), provider: 'placeholder' });
    const remote = project.remote;
    if (!remote) {
      throw new RetroSpritesError('no-remote', 'no remote cache: pass --remote s3://bucket/prefix (or https://…), or set RETRO_SPRITES_REMOTE');
    }
    try {
      const local = await project.store.keys();
      const localSet = new Set(local);
      let view: RemoteView;
      try {
        view = await remoteKeys(remote, async () => [...new Set([...local, ...(await referencedKeys(project))])]);
      } catch (err) {
        if (err instanceof RemoteError) throw new RetroSpritesError('remote-unreachable', `remote cache ${remote.where}: ${err.message}`);
        throw err;
      }
      const localOnly = local.filter((k) => !view.keys.has(k));
      const remoteOnly = [...view.keys].filter((k) => !localSet.has(k)).sort();
      const both = local.length - localOnly.length;
      if (sub === 'status') {
        io.out(`remote cache: ${remote.where}`);
        io.out(`local only:  ${localOnly.length}`);
        io.out(`remote only: ${remoteOnly.length}${view.complete ? '' : ' (of the keys the local cache and the manifests name: this remote cannot list)'}`);
        io.out(`both:        ${both}`);
        return 0;
      }
      if (sub === 'push') {
        let damaged = 0;
        await runPool(localOnly, 8, async (key) => {
          const found = await project.store.lookup(key);
          if (found.status !== 'hit') {
            damaged++;
            if (found.status === 'corrupt') io.err(`local entry ${key.slice(0, 12)} is damaged (${found.corrupt.reason}); set aside to ${found.corrupt.setAsideTo}, not uploaded`);
            return;
          }
          await remote.upload(found.entry);
        });
        const { uploaded, notUploaded } = remote.counts;
        io.err(`${plural(uploaded, 'entry', 'entries')} uploaded to ${remote.where}, ${both} already there`);
        if (notUploaded || damaged) {
          io.err(`${plural(notUploaded + damaged, 'entry was', 'entries were')} not uploaded (see above); run \`retro-sprites cache push\` again`);
          return 1;
        }
        return 0;
      }
      await runPool(remoteOnly, 16, async (key) => {
        await remote.fetchOne(key, project.store);
      });
      const { fetched, refused } = remote.counts;
      io.err(`${plural(fetched, 'entry', 'entries')} pulled from ${remote.where}, ${both} already local`);
      if (refused || remote.down) {
        io.err(`${plural(refused, 'entry was', 'entries were')} refused (see above)${remote.down ? '; the remote stopped answering' : ''}`);
        return 1;
      }
      return 0;
    } finally {
      remote.close();
    }
  },
};
