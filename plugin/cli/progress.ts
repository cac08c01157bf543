import { userMessage } from '../core/errors.js';
import { addCost, formatCost, type CostTotals } from '../core/generate/cost.js';
import type { CostUnit } from '../core/providers/provider.js';
import { formatSummary, type ProgressReporter } from '../core/generate/progress.js';
import type { CliIO } from './command.js';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/**
 * The terminal's view of a run. On a TTY one live line (done/total, cached, failed, cost, ETA);
 * otherwise (CI logs) one line per sprite. Both end with a summary.
 */
export function cliReporter(io: CliIO): ProgressReporter {
  let total = 0;
  let cachedAtStart = 0;
  let done = 0;
  let failed = 0;
  let spent: CostTotals = {};
  let t0 = Date.now();
  let live = false;
  const name = (r: { atlas: string; sprite: string }) => `${r.atlas}/${r.sprite}`;
  const draw = () => {
    if (!io.isTTY) return;
    const elapsed = Date.now() - t0;
    const finished = done + failed;
    const eta = finished > 0 && total > finished ? ` ETA ${seconds((elapsed / finished) * (total - finished))}` : '';
    process.stderr.write(`\r\x1b[2K  ${finished}/${total} generated, ${cachedAtStart} cached, ${failed} failed, cost ${formatCost(spent)}${eta}`);
    live = true;
  };
  const clear = () => {
    if (live) process.stderr.write('\r\x1b[2K');
    live = false;
  };
  return {
    plan(s) {
      total = s.toGenerate;
      cachedAtStart = s.cached;
      t0 = Date.now();
      io.err(`${s.sprites} sprite${s.sprites === 1 ? '' : 's'}, ${s.cached} cached, ${s.toGenerate} to generate${s.estimate ? `, estimated cost ${formatCost(s.estimate)}` : ''}`);
    },
    warn(message) {
      clear();
      io.err(`warning: ${message}`);
      draw();
    },
    cached(r) {
      if (!io.isTTY) io.err(`  ${name(r)}  (cached)`);
    },
    done(r, info) {
      done++;
      for (const [unit, amount] of Object.entries(info.cost)) spent = addCost(spent, { unit: unit as CostUnit, amount: amount ?? 0 });
      if (io.isTTY) draw();
      else io.err(`  ${name(r)}  ${seconds(info.ms)}`);
    },
    failed(r, error) {
      failed++;
      clear();
      io.err(`  ${name(r)}  failed: ${userMessage(error, 'cli').split('\n')[0]}`);
      draw();
    },
    finish(s) {
      clear();
      io.err(formatSummary(s));
    },
  };
}
