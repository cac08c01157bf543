import { parseArgs } from 'node:util';
import { suggest } from '../core/catalog.js';
import type { OptionSpec, ParsedValues } from './command.js';

/** A mistake in how the command was typed: said in the CLI's words, with what was probably meant. */
export class UsageError extends Error {}

const didYouMean = (close: string[]): string => (close.length ? `; did you mean ${close.join(' or ')}?` : '');

/** The closest command names to a mistyped one. */
export function commandSuggestion(name: string, commands: readonly string[]): string {
  return didYouMean(suggest(name, commands, 2));
}

/**
 * `parseArgs`, with its errors rewritten: Node's text (`Unknown option '--fozen'. To specify a
 * positional argument starting with a '-', …`) becomes `unknown flag --fozen; did you mean --frozen?`.
 */
export function parseCommandArgs(args: string[], options: OptionSpec, usage = ''): { values: ParsedValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as ParsedValues, positionals };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const flags = Object.entries(options).flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]);
    const quoted = /'(-[^' ]*)/.exec(e.message)?.[1] ?? '';
    const flag = quoted.split('=')[0]!;
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new UsageError(`unknown flag ${flag}${didYouMean(suggest(flag, flags.filter((f) => f.startsWith('--')), 2))}`);
    }
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const name = flag.replace(/^-+/, '');
      const spec = options[name] ?? Object.values(options).find((o) => `-${o.short}` === flag);
      // The usage text names the value (`--out DIR`, `--max-cost N`).
      const metavar = new RegExp(`${flag} ([A-Z][A-Z_]*)\\b`).exec(usage)?.[1] ?? 'VALUE';
      throw new UsageError(spec?.type === 'boolean' ? `${flag} is a switch and takes no value` : `${flag} needs a value (${flag} ${metavar})`);
    }
    throw new UsageError(e.message);
  }
}
