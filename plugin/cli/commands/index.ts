import type { Command } from '../command.js';
import { checkCommand } from './check.js';
import { generateCommand } from './generate.js';
import { pruneCommand } from './prune.js';

/** Every command of the `retro-sprites` bin, in the order `help` lists them. */
export const COMMANDS: Command[] = [checkCommand, generateCommand, pruneCommand];
