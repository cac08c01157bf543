import * as Phaser from 'phaser';
import { add, images, sprites } from 'virtual:retro-sprites';
import { Hero } from '../hero.js';
import {
  BUSHES, CHEST, COINS, ENEMIES, HERO_START, MUSHROOMS, PINES, ROCKS, START_HEARTS, STATE, STATUE, TREES,
  WORLD_HEIGHT, WORLD_WIDTH,
} from '../layout.js';
import { paintPath } from '../path.js';
import { installTestHook } from '../test-hook.js';
import { Wanderer } from '../wanderer.js';

type Name = keyof typeof sprites;
type Shown = Phaser.GameObjects.Sprite | Phaser.GameObjects.Image;

const COIN_RESPAWN_MS = 5000;
const GEM_VALUE = 5;
const HURT_COOLDOWN_MS = 1200;

/** The meadow: a tiled ground, props, coins to collect, a chest to open and two enemies to avoid. */
export class WorldScene extends Phaser.Scene {
  hero!: Hero;
  private enemies: Wanderer[] = [];
  private solids!: Phaser.Physics.Arcade.StaticGroup;
  private hurtUntil = 0;

  constructor() {
    super('world');
  }

  create(): void {
    this.registry.set(STATE.score, 0);
    this.registry.set(STATE.hearts, START_HEARTS);
    this.registry.set(STATE.gems, 0);
    this.enemies = [];
    this.physics.world.setBounds(0, 0, WORLD_WIDTH, WORLD_HEIGHT);

    // The tiling texture repeats seamlessly across the whole world.
    this.add.tileSprite(0, 0, WORLD_WIDTH, WORLD_HEIGHT, images.grass).setOrigin(0).setDepth(-1000);
    // A dirt path painted with the generated tileset (autotiled transitions).
    paintPath(this).setDepth(-999);

    this.solids = this.physics.add.staticGroup();
    for (const [x, y] of TREES) this.prop('tree', x, y, 14, 8);
    for (const [x, y] of PINES) this.prop('pine', x, y, 12, 8);
    for (const [x, y] of ROCKS) this.prop('rock', x, y, 24, 10);
    for (const [x, y] of BUSHES) this.prop('bush', x, y);
    for (const [x, y] of MUSHROOMS) this.prop('mushroom', x, y);
    this.prop('statue', STATUE[0], STATUE[1], 30, 10);
    const chest = this.prop('chest', CHEST[0], CHEST[1], 26, 12);

    this.hero = new Hero(this, HERO_START.x, HERO_START.y);
    this.physics.add.collider(this.hero.sprite, this.solids);

    const coins = this.physics.add.staticGroup();
    for (const [x, y] of COINS) coins.add(this.coin(x, y));
    this.physics.add.overlap(this.hero.sprite, coins, (_hero, coin) => this.collectCoin(coin as Phaser.GameObjects.Sprite));

    let opened = false;
    const chestZone = this.add.zone(CHEST[0], CHEST[1] - 8, 40, 28);
    this.physics.add.existing(chestZone, true);
    this.physics.add.overlap(this.hero.sprite, chestZone, () => {
      if (opened) return;
      opened = true;
      this.openChest(chest);
    });

    for (const e of ENEMIES) {
      const enemy = new Wanderer(this, e.at[0], e.at[1], e.sprite);
      this.physics.add.collider(enemy.sprite, this.solids);
      this.physics.add.overlap(this.hero.sprite, enemy.sprite, () => this.hurt());
      this.enemies.push(enemy);
    }

    const cam = this.cameras.main;
    cam.setBounds(0, 0, WORLD_WIDTH, WORLD_HEIGHT);
    cam.startFollow(this.hero.sprite, true, 0.15, 0.15);
    cam.fadeIn(300);

    this.scene.launch('hud');
    installTestHook(this);
  }

  override update(time: number): void {
    this.hero.update();
    for (const e of this.enemies) e.update(time);
  }

  /** A prop standing on (x, y); with a footprint it blocks walkers there (and only there). */
  private prop(name: Name, x: number, y: number, footW = 0, footH = 0): Shown {
    const shown = add(this, x, y, name).setOrigin(0.5, 1).setDepth(y);
    if (footW > 0) {
      const foot = this.add.zone(x, y - footH / 2, footW, footH);
      this.solids.add(foot);
    }
    return shown;
  }

  private coin(x: number, y: number): Phaser.GameObjects.Sprite {
    const coin = add(this, x, y, 'coin') as Phaser.GameObjects.Sprite;
    coin.setDepth(y);
    // Not all coins in step: each starts its spin at a different frame.
    coin.anims.setProgress(Phaser.Math.RND.frac());
    this.tweens.add({ targets: coin, y: y - 2, duration: 600, yoyo: true, repeat: -1, ease: 'Sine.easeInOut' });
    return coin;
  }

  private collectCoin(coin: Phaser.GameObjects.Sprite): void {
    const body = coin.body as Phaser.Physics.Arcade.StaticBody;
    if (!body.enable) return;
    body.enable = false;
    this.registry.inc(STATE.score, 1);
    this.tweens.killTweensOf(coin);
    this.tweens.add({ targets: coin, y: coin.y - 18, alpha: 0, duration: 280, ease: 'Quad.easeOut' });
    const home = coin.getData('home') as [number, number] | undefined ?? [coin.x, coin.y];
    coin.setData('home', home);
    this.time.delayedCall(COIN_RESPAWN_MS, () => {
      coin.setPosition(home[0], home[1]).setAlpha(0);
      this.tweens.add({ targets: coin, alpha: 1, duration: 400 });
      this.tweens.add({ targets: coin, y: home[1] - 2, duration: 600, yoyo: true, repeat: -1, ease: 'Sine.easeInOut' });
      body.enable = true;
    });
  }

  /** The chest shakes open and throws out gems worth five coins each. */
  private openChest(chest: Shown): void {
    this.tweens.add({ targets: chest, angle: { from: -8, to: 8 }, duration: 60, yoyo: true, repeat: 3, onComplete: () => chest.setAngle(0).setTint(0xb0a890) });
    for (let i = 0; i < 3; i++) {
      const gem = add(this, chest.x, chest.y - 16, 'gem').setDepth(chest.y + 1);
      const tx = chest.x + (i - 1) * 22;
      this.tweens.add({
        targets: gem, x: tx, duration: 500, delay: 150 + i * 120, ease: 'Linear',
      });
      this.tweens.add({
        targets: gem, y: { from: chest.y - 16, to: chest.y + 14 }, duration: 500, delay: 150 + i * 120, ease: 'Bounce.easeOut',
        onComplete: () => {
          this.physics.add.existing(gem, true);
          this.physics.add.overlap(this.hero.sprite, gem, () => {
            if (!gem.active) return;
            gem.destroy();
            this.registry.inc(STATE.gems, 1);
            this.registry.inc(STATE.score, GEM_VALUE);
          });
        },
      });
    }
  }

  private hurt(): void {
    if (this.time.now < this.hurtUntil) return;
    this.hurtUntil = this.time.now + HURT_COOLDOWN_MS;
    const hearts = (this.registry.get(STATE.hearts) as number) - 1;
    const hero = this.hero.sprite;
    this.tweens.add({ targets: hero, alpha: 0.3, duration: 100, yoyo: true, repeat: 5, onComplete: () => hero.setAlpha(1) });
    this.cameras.main.shake(120, 0.006);
    if (hearts > 0) {
      this.registry.set(STATE.hearts, hearts);
      return;
    }
    // Out of hearts: a fresh start, keeping the gems found as a trophy.
    this.cameras.main.flash(300, 200, 48, 48);
    this.registry.set(STATE.hearts, START_HEARTS);
    this.registry.set(STATE.score, 0);
  }
}
