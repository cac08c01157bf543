import type { Command } from '../command.js';

/** Every command of the `retro-sprites` bin, in the order `help` lists them. */
export const COMMANDS: Command[] = [];
