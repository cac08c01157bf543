import { resolve } from 'node:path';
import { formatDiagnostic } from '../../core/errors.js';
import { GenerationFailedError } from '../../core/generate/errors.js';
import { runGeneration } from '../../core/generate/run.js';
import { loadProjectPlan, openProject, runOptionsOf } from '../../core/project.js';
import { stringValue, type Command, type CommandContext } from '../command.js';
import { cliReporter } from '../progress.js';
import { numberFlag, projectOptions } from './shared.js';

export const generateCommand: Command = {
  usage: [
    'options:',
    '  --dry-run          plan and estimate the cost, request nothing',
    '  --out DIR          write atlases, animations, tile images and pack.json to DIR',
    '  --frozen           fail on any sprite missing from the cache instead of generating it',
    '  --max-cost N       stop before spending more than N (credits, or USD with the newer API)',
    '  --concurrency N    requests in flight at once (default 4)',
    '  --allow-unknown-styles  accept prompt_style values the built-in catalog does not know',
    '  --exact-cost       ask the API (check_cost) for every price instead of the published formulas',
  ].join('\n'),
  options: {
    'dry-run': { type: 'boolean' },
    out: { type: 'string' },
    frozen: { type: 'boolean' },
    'max-cost': { type: 'string' },
    concurrency: { type: 'string' },
    'allow-unknown-styles': { type: 'boolean' },
    'exact-cost': { type: 'boolean' },
  },
  async run(ctx: CommandContext): Promise<number> {
    const { io, values } = ctx;
    const project = openProject({
      ...projectOptions(ctx),
      frozen: values.frozen === true ? true : undefined,
      maxCost: numberFlag(values, 'max-cost'),
      concurrency: numberFlag(values, 'concurrency'),
      allowUnknownStyles: values['allow-unknown-styles'] === true,
      ...(values['exact-cost'] === true ? { api: { exactCost: true } } : {}),
    });
    if (project.providerNotice) io.err(project.providerNotice);
    try {
      const { plan, requests } = await loadProjectPlan(project);
      for (const w of plan.warnings) io.err(formatDiagnostic(w, project.root, 'cli'));
      const result = await runGeneration(requests, {
        ...runOptionsOf(project),
        dryRun: values['dry-run'] === true,
        signal: ctx.signal,
        reporter: cliReporter(io),
      });
      if (result.failures.length > 0) throw new GenerationFailedError(result.failures, project.root);
      const out = stringValue(values, 'out');
      if (out && values['dry-run'] !== true) {
        const { writeProjectOutput } = await import('../../core/output.js');
        const written = await writeProjectOutput(result, resolve(ctx.cwd, out));
        io.err(`wrote ${written.length} files to ${out}`);
      }
      return 0;
    } finally {
      await project.provider.close?.();
      project.remote?.close();
    }
  },
};
