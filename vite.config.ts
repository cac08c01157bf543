import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
// The demo uses the plugin from this workspace's source; your game would import 'vite-plugin-retro-sprites'.
import retroSprites from './plugin/index.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: 'demo-game',
  // Phaser itself is one ~1.4 MB chunk; that is expected, not a warning.
  build: { outDir: '../dist/demo', emptyOutDir: true, chunkSizeWarningLimit: 1600 },
  server: { port: 5173 },
  preview: { port: 4173, strictPort: true },
  plugins: [
    retroSprites({
      // manifests/ sits beside demo-game/, at the repository root.
      root: here,
      dts: 'demo-game/src/retro-sprites.d.ts',
    }),
  ],
});
