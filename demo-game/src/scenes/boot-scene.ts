import * as Phaser from 'phaser';
import { preload } from 'virtual:retro-sprites';
import { VIEW_HEIGHT, VIEW_WIDTH } from '../layout.js';

/** Loads the generated pack (every atlas, animation and tiling image of the manifests), then starts the game. */
export class BootScene extends Phaser.Scene {
  constructor() {
    super('boot');
  }

  preload(): void {
    const w = 160;
    const x = (VIEW_WIDTH - w) / 2;
    const y = VIEW_HEIGHT / 2;
    this.add.rectangle(x, y, w, 6, 0x2c2838).setOrigin(0, 0.5);
    const bar = this.add.rectangle(x, y, 0, 6, 0xe4b028).setOrigin(0, 0.5);
    this.load.on(Phaser.Loader.Events.PROGRESS, (p: number) => bar.setSize(w * p, 6));
    preload(this);
  }

  create(): void {
    this.scene.start('world');
  }
}
