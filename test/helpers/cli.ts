import { main } from '../../plugin/cli/main.js';

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
}

/** Runs `retro-sprites <args>` in-process with collected output, as a user would see it. */
export async function runCli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false }, opts.env ?? {}, opts.cwd);
  return { code, out, err };
}
