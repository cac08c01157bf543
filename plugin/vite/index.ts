export { retroSprites, summaryLine } from './plugin.js';
export type { RetroSpritesOptions } from './options.js';
