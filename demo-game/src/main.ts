import * as Phaser from 'phaser';
import { BootScene } from './scenes/boot-scene.js';
import { HudScene } from './scenes/hud-scene.js';
import { WorldScene } from './scenes/world-scene.js';
import { VIEW_HEIGHT, VIEW_WIDTH } from './layout.js';

new Phaser.Game({
  type: Phaser.AUTO,
  parent: 'game',
  width: VIEW_WIDTH,
  height: VIEW_HEIGHT,
  backgroundColor: '#1b2a1e',
  // Generated art is pixel art: nearest-neighbour scaling keeps every pixel square when the canvas is scaled up.
  pixelArt: true,
  roundPixels: true,
  scale: { mode: Phaser.Scale.FIT, autoCenter: Phaser.Scale.CENTER_BOTH },
  physics: { default: 'arcade', arcade: { debug: false } },
  // A fixed seed: the same layout and the same wandering on every load, so screenshots are comparable.
  seed: ['retro-sprites'],
  scene: [BootScene, WorldScene, HudScene],
});
