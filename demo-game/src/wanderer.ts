import * as Phaser from 'phaser';
import { add, sprites } from 'virtual:retro-sprites';
import type { Direction } from './hero.js';

const DIRECTIONS: readonly Direction[] = ['down', 'left', 'right', 'up'];
const STEP: Record<Direction, readonly [number, number]> = { down: [0, 1], left: [-1, 0], right: [1, 0], up: [0, -1] };

/** An enemy that strolls about: a few steps one way, a pause, then another way. */
export class Wanderer {
  readonly sprite: Phaser.Physics.Arcade.Sprite;
  private readonly name: 'slime' | 'bat';
  private readonly speed: number;
  private nextTurn = 0;

  constructor(scene: Phaser.Scene, x: number, y: number, name: 'slime' | 'bat') {
    this.name = name;
    this.speed = name === 'bat' ? 45 : 28;
    const shown = add(scene, x, y, name) as Phaser.GameObjects.Sprite;
    this.sprite = scene.physics.add.existing(shown) as unknown as Phaser.Physics.Arcade.Sprite;
    const body = this.sprite.body as Phaser.Physics.Arcade.Body;
    body.setSize(24, 18).setOffset(12, 26);
    body.setCollideWorldBounds(true);
    body.setBounce(1, 1);
  }

  update(time: number): void {
    this.sprite.setDepth(this.sprite.y);
    const body = this.sprite.body as Phaser.Physics.Arcade.Body;
    if (time >= this.nextTurn) {
      const rnd = Phaser.Math.RND;
      const resting = rnd.frac() < 0.25;
      const dir = rnd.pick([...DIRECTIONS]);
      this.nextTurn = time + rnd.between(900, 2200);
      const [sx, sy] = STEP[dir];
      body.setVelocity(resting ? 0 : sx * this.speed, resting ? 0 : sy * this.speed);
      this.sprite.anims.play(sprites[this.name].animations.walk[dir], true);
      if (resting) this.sprite.anims.pause();
      return;
    }
    // After a bounce off a wall or a rock, look the way it now goes.
    const v = body.velocity;
    if (v.x === 0 && v.y === 0) return;
    const dir: Direction = Math.abs(v.x) > Math.abs(v.y) ? (v.x > 0 ? 'right' : 'left') : v.y > 0 ? 'down' : 'up';
    this.sprite.anims.play(sprites[this.name].animations.walk[dir], true);
  }
}
