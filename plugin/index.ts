/**
 * vite-plugin-retro-sprites: YAML manifests in, RetroDiffusion pixel art and Phaser atlases out.
 *
 *   // vite.config.ts
 *   import retroSprites from 'vite-plugin-retro-sprites';
 *   export default defineConfig({ plugins: [retroSprites()] });
 */
import { retroSprites } from './vite/plugin.js';

export { retroSprites };
export default retroSprites;
export type { RetroSpritesOptions } from './vite/options.js';
export type { RetroSpritesUpdate } from './client/update.js';
export type { ApiPayload } from './core/payload.js';
export type { GenerationRequest, KeyedRequest, SpriteOptions } from './core/request.js';
export type { AnimationLayout } from './core/animation-layout.js';
export type { SourceLocation } from './core/location.js';
export type { Provider, GeneratedImage, GenerationResult, Cost } from './core/providers/provider.js';
export type { AtlasOptions } from './core/phaser/atlas.js';
export { RetroSpritesError, ManifestError, type Diagnostic } from './core/errors.js';
