import * as Phaser from 'phaser';
import { add, sprites } from 'virtual:retro-sprites';
import { HERO_SPEED } from './layout.js';

export type Direction = 'down' | 'left' | 'right' | 'up';

type Keys = Record<'up' | 'down' | 'left' | 'right' | 'w' | 'a' | 's' | 'd', Phaser.Input.Keyboard.Key>;

/**
 * The player: walks with the arrow keys or WASD, plays the walking cycle of the way it goes, and
 * stands on the first frame of that direction when still.
 */
export class Hero {
  readonly sprite: Phaser.Physics.Arcade.Sprite;
  facing: Direction = 'down';
  private readonly keys: Keys;

  constructor(scene: Phaser.Scene, x: number, y: number) {
    const shown = add(scene, x, y, 'hero') as Phaser.GameObjects.Sprite;
    this.sprite = scene.physics.add.existing(shown) as unknown as Phaser.Physics.Arcade.Sprite;
    const body = this.sprite.body as Phaser.Physics.Arcade.Body;
    // Collide with the feet only, so the hero can walk behind trees and rocks.
    body.setSize(20, 12).setOffset(14, 34);
    body.setCollideWorldBounds(true);
    this.keys = scene.input.keyboard!.addKeys('up,down,left,right,w,a,s,d') as Keys;
    this.idle();
  }

  update(): void {
    const k = this.keys;
    const dx = (k.right.isDown || k.d.isDown ? 1 : 0) - (k.left.isDown || k.a.isDown ? 1 : 0);
    const dy = (k.down.isDown || k.s.isDown ? 1 : 0) - (k.up.isDown || k.w.isDown ? 1 : 0);
    const body = this.sprite.body as Phaser.Physics.Arcade.Body;
    body.setVelocity(dx * HERO_SPEED, dy * HERO_SPEED);
    // Diagonals are no faster than straight lines.
    if (dx !== 0 && dy !== 0) body.velocity.scale(Math.SQRT1_2);
    this.sprite.setDepth(this.sprite.y);
    if (dx === 0 && dy === 0) {
      this.idle();
      return;
    }
    // Sideways wins on diagonals: the side views read better than the back while strafing.
    this.facing = dx !== 0 ? (dx > 0 ? 'right' : 'left') : dy > 0 ? 'down' : 'up';
    this.sprite.anims.play(sprites.hero.animations.walk[this.facing], true);
  }

  /** Stopped on frame 0 of the way it faces. */
  private idle(): void {
    const still = `hero/${this.facing}/0`;
    if (!this.sprite.anims.isPlaying && this.sprite.frame.name === still) return;
    this.sprite.anims.stop();
    this.sprite.setFrame(still);
  }
}
