import * as Phaser from 'phaser';
import { add, sprites } from 'virtual:retro-sprites';
import { START_HEARTS, STATE, VIEW_HEIGHT, VIEW_WIDTH } from '../layout.js';

const TEXT: Phaser.Types.GameObjects.Text.TextStyle = {
  fontFamily: 'monospace', fontSize: '12px', color: '#fff4d6', stroke: '#1b1424', strokeThickness: 3,
};

/** Hearts, coins and gems over the world, drawn with the same generated icons the world uses. */
export class HudScene extends Phaser.Scene {
  constructor() {
    super('hud');
  }

  create(): void {
    // One generated panel, stretched by add.nineslice to two sizes: its borders (the frame's
    // scale9Borders, from `nine_slice: auto`) stay crisp, only the middle grows.
    const panel = sprites.panel;
    this.add.nineslice(0, 0, panel.atlas, panel.frame, VIEW_WIDTH, 24).setOrigin(0).setAlpha(0.85);
    const hearts = Array.from({ length: START_HEARTS }, (_, i) => add(this, 14 + i * 18, 11, 'heart'));
    const showHearts = (n: number) => hearts.forEach((h, i) => h.setAlpha(i < n ? 1 : 0.25));

    add(this, VIEW_WIDTH - 96, 11, 'coin');
    const score = this.add.text(VIEW_WIDTH - 84, 11, '0', TEXT).setOrigin(0, 0.5);
    add(this, VIEW_WIDTH - 40, 11, 'gem');
    const gems = this.add.text(VIEW_WIDTH - 28, 11, '0', TEXT).setOrigin(0, 0.5);

    const hintBox = this.add.nineslice(VIEW_WIDTH / 2, VIEW_HEIGHT - 14, panel.atlas, panel.frame, 180, 24);
    const hint = this.add.text(VIEW_WIDTH / 2, VIEW_HEIGHT - 14, 'arrows / WASD to walk', TEXT).setOrigin(0.5);
    this.tweens.add({ targets: [hint, hintBox], alpha: 0, delay: 4000, duration: 800 });

    const bump = (t: Phaser.GameObjects.Text) => this.tweens.add({ targets: t, scale: { from: 1.4, to: 1 }, duration: 180 });
    const on = (key: string, show: (v: number) => void) => {
      show(this.registry.get(key) as number);
      const event = Phaser.Data.Events.CHANGE_DATA_KEY + key;
      this.registry.events.on(event, (_parent: unknown, value: number) => show(value));
      this.events.once(Phaser.Scenes.Events.SHUTDOWN, () => this.registry.events.off(event));
    };
    on(STATE.hearts, showHearts);
    on(STATE.score, (v) => { score.setText(String(v)); bump(score); });
    on(STATE.gems, (v) => { gems.setText(String(v)); bump(gems); });
  }
}
