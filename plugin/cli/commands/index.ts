import type { Command } from '../command.js';
import { cacheCommand } from './cache.js';
import { checkCommand } from './check.js';
import { creditsCommand } from './credits.js';
import { emulateCommand } from './emulate.js';
import { generateCommand } from './generate.js';
import { pruneCommand } from './prune.js';
import { typesCommand } from './types.js';
import { variantsCommand } from './variants.js';

/** Every command of the `retro-sprites` bin, in the order `help` lists them. */
export const COMMANDS: Command[] = [checkCommand, generateCommand, creditsCommand, variantsCommand, typesCommand, pruneCommand, cacheCommand, emulateCommand];
