import { TONES, mix, type Rgb } from '../palette.js';
import type { Look } from '../look.js';
import type { Sprite } from '../sprite.js';

export type Facing = 'down' | 'left' | 'right' | 'up';

/** One instant of a walk: which leg is lifted or forward, how far the arms swing, how high the body rides. */
export interface Pose {
  facing: Facing;
  /** -1 left/front leg forward, 0 together, 1 right/back leg forward. */
  stride: number;
  /** Pixels the body rises (walk bob). */
  bob: number;
}

export const STANDING: Pose = { facing: 'down', stride: 0, bob: 0 };

type Headgear = 'helmet' | 'hat' | 'crown' | 'hood' | 'hair' | 'robot' | 'skull' | 'horns';

interface Outfit {
  headgear: Headgear;
  cape: boolean;
  robe: boolean;
  skin: Rgb;
}

function outfitFor(subject: string, look: Look): Outfit {
  const has = (...names: string[]): boolean => names.includes(subject);
  let headgear: Headgear = 'hair';
  if (has('knight', 'paladin', 'soldier', 'guard', 'samurai')) headgear = 'helmet';
  else if (has('viking', 'orc', 'demon')) headgear = 'horns';
  else if (has('wizard', 'mage', 'witch')) headgear = 'hat';
  else if (has('king', 'queen', 'prince', 'princess')) headgear = 'crown';
  else if (has('rogue', 'thief', 'ninja', 'archer', 'ranger', 'monk', 'priest', 'cleric', 'assassin', 'hunter')) headgear = 'hood';
  else if (has('robot', 'android', 'golem', 'astronaut')) headgear = 'robot';
  else if (has('skeleton')) headgear = 'skull';
  let skin = look.skin;
  if (has('zombie', 'orc', 'goblin')) skin = [120, 170, 90];
  if (has('skeleton')) skin = [232, 228, 212];
  if (has('vampire')) skin = [220, 216, 230];
  return {
    headgear,
    cape: has('knight', 'hero', 'heroine', 'king', 'queen', 'paladin', 'vampire', 'prince', 'princess'),
    robe: has('wizard', 'mage', 'witch', 'priest', 'cleric', 'monk'),
    skin,
  };
}

/**
 * A chibi person (big head, short body) in the box, seen from `pose.facing`. Front and back views
 * are symmetric about the box's centre; side views are drawn facing left and flipped for right.
 */
export function drawHumanoid(
  s: Sprite,
  box: { x: number; y: number; w: number; h: number },
  subject: string,
  look: Look,
  pose: Pose = STANDING,
): void {
  const o = outfitFor(subject, look);
  const skin = s.material(o.skin);
  const cloth = s.material(look.primary);
  // Limbs and head get their own material ids even when they share a colour: shading runs per
  // material, so each part gets its own lit edge and shadow and the parts read as separate.
  const armL = s.material(look.primary);
  const armR = s.material(look.primary);
  const pants = s.material(mix(look.primary, [28, 24, 48], 120));
  const pantsFar = s.material(mix(look.primary, [28, 24, 48], 170));
  const cape = s.material(look.secondary);
  const trim = s.material(look.accent);
  const hair = s.material(o.headgear === 'helmet' || o.headgear === 'robot' ? mix(look.primary, TONES.white, 30) : look.hair);
  const boots = s.material(mix(look.secondary, [40, 28, 24], 170));
  const hatM = s.material(o.headgear === 'crown' ? TONES.gold : o.headgear === 'hood' ? look.secondary : look.primary);

  const { w, h } = box;
  const c = box.x + (w >> 1);
  const top = box.y - pose.bob;
  const headH = Math.round(h * 0.4);
  const headHW = Math.max(3, Math.round(w * 0.3));
  const legH = Math.max(3, Math.round(h * 0.22));
  const feetY = box.y + h - 1;
  const torsoTop = top + headH - Math.max(1, Math.round(h * 0.04));
  const torsoBottom = box.y + h - legH - pose.bob;
  const torsoHW = Math.max(2, Math.round(w * 0.21));
  const armW = Math.max(2, Math.round(w * 0.1));
  const legW = Math.max(2, Math.round(w * 0.13));
  const gap = w >= 24 ? 1 : 0;
  const eyeW = Math.max(1, Math.round(w / 22));
  const eyeH = eyeW + (w >= 24 ? 1 : 0);
  const eyeY = top + Math.round(headH * 0.52);
  const side = pose.facing === 'left' || pose.facing === 'right';
  const lift = Math.max(1, Math.round(h / 20));
  const bodyHW = torsoHW;

  const drawCape = (): void => {
    if (!o.cape) return;
    if (pose.facing === 'up') {
      s.polygon([[c - bodyHW - 1, torsoTop], [c + bodyHW + 1, torsoTop], [c + bodyHW + 3, feetY - 1], [c - bodyHW - 3, feetY - 1]], cape);
    } else if (side) {
      const flare = 3 + Math.abs(pose.stride);
      s.polygon([[c + bodyHW - 2, torsoTop], [c + bodyHW + 1, torsoTop], [c + bodyHW + flare, feetY - 1], [c + 1, feetY - 1]], cape);
    } else {
      s.polygon([[c - bodyHW - 1, torsoTop + 1], [c + bodyHW + 1, torsoTop + 1], [c + bodyHW + armW + 1, feetY - 1], [c - bodyHW - armW - 1, feetY - 1]], cape, 1);
    }
  };
  if (pose.facing !== 'up') drawCape();

  // Legs: in profile one steps forward as the other pushes back; from the front one lifts.
  if (side) {
    // Legs swing from the hip: the near leg steps forward (left) as the far one pushes back.
    const reach = pose.stride * Math.max(1, Math.round(w * 0.14));
    const hipX = c - (legW >> 1) + 1;
    limb(s, hipX, torsoBottom - 1, hipX + reach, feetY - 1, legW, pantsFar);
    s.rect(hipX + reach - 1, feetY - 1, legW + 1, 2, boots);
    limb(s, hipX, torsoBottom - 1, hipX - reach, feetY - 1, legW, pants);
    s.rect(hipX - reach - 1, feetY - 1, legW + 1, 2, boots);
  } else {
    const leftUp = pose.stride < 0 ? lift : 0;
    const rightUp = pose.stride > 0 ? lift : 0;
    const legL = s.material(mix(look.primary, [28, 24, 48], 120));
    s.rect(c - gap - legW, torsoBottom, legW, feetY - torsoBottom + 1 - leftUp, legL);
    s.rect(c + gap, torsoBottom, legW, feetY - torsoBottom + 1 - rightUp, pants);
    s.rect(c - gap - legW, feetY - leftUp - 1, legW, 2, boots);
    s.rect(c + gap, feetY - rightUp - 1, legW, 2, boots);
  }

  // Torso (a robe runs down over the legs).
  const bodyBottom = o.robe ? feetY - 1 : torsoBottom;
  if (o.robe) s.polygon([[c - bodyHW, torsoTop], [c + bodyHW, torsoTop], [c + bodyHW + 2, feetY], [c - bodyHW - 2, feetY]], cloth);
  else s.rect(c - bodyHW, torsoTop, 2 * bodyHW, bodyBottom - torsoTop + 1, cloth);
  const beltY = torsoBottom - Math.max(1, Math.round(h / 20));
  if (h >= 20) s.rect(c - bodyHW, beltY, 2 * bodyHW, Math.max(1, Math.round(h / 28)), trim);
  if (subject === 'skeleton' && h >= 16) {
    // Ribs: dark bars across the chest, so bone reads as bone.
    const rib = s.material(mix(o.skin, [30, 24, 40], 150));
    for (let y = torsoTop + 2; y < beltY - 1; y += 2) s.rect(c - bodyHW + 1, y, 2 * bodyHW - 2, 1, rib, 2);
    s.rect(c - (side ? 0 : 1), torsoTop + 1, 2, beltY - torsoTop - 1, cloth);
  } else if (!side && pose.facing !== 'up' && h >= 24) {
    // A chest emblem or collar in the accent colour gives the front a focal point.
    s.rect(c - 1, torsoTop + 2, 2, Math.max(2, Math.round(h / 14)), trim, 3);
  }
  if (pose.facing === 'up') drawCape();

  // Arms swing against the legs.
  const swing = pose.stride * Math.max(1, Math.round(h / 20));
  const armTop = torsoTop + 1;
  const armLen = Math.max(3, torsoBottom - torsoTop - 1);
  if (side) {
    // The near arm swings against the near leg, pivoting at the shoulder.
    const shoulder = c + 1;
    const hand = shoulder + 2 * swing;
    limb(s, shoulder, armTop, hand, armTop + armLen - 1, armW, armL);
    s.rect(hand - (armW >> 1), armTop + armLen, armW, Math.max(1, armW - 1), skin);
  } else {
    const lSwing = pose.facing === 'up' ? -swing : swing;
    s.rect(c - bodyHW - armW, armTop + Math.max(0, lSwing), armW, armLen, armL);
    s.rect(c + bodyHW, armTop + Math.max(0, -lSwing), armW, armLen, armR);
    s.rect(c - bodyHW - armW, armTop + armLen + Math.max(0, lSwing), armW, Math.max(1, armW - 1), skin);
    s.rect(c + bodyHW, armTop + armLen + Math.max(0, -lSwing), armW, Math.max(1, armW - 1), skin);
  }

  // Head.
  const hx0 = side ? c - headHW + 1 : c - headHW;
  const hx1 = side ? c + headHW - 2 : c + headHW - 1;
  const headBottom = top + headH - 1;
  const headMat = o.headgear === 'helmet' || o.headgear === 'robot' ? hair : skin;
  if (o.headgear === 'robot') s.rect(hx0, top + 1, hx1 - hx0 + 1, headH - 1, headMat);
  else s.ellipse(hx0, top, hx1, headBottom, headMat);

  const face = pose.facing !== 'up';
  drawHeadgear(s, o.headgear, { hx0, hx1, top, headBottom, c, headH, side, face, hair, hatM, trim, w });

  if (face) {
    const dark: Rgb = o.headgear === 'robot' ? [120, 240, 255] : TONES.eye;
    if (o.headgear === 'helmet') {
      // A visor slit with the eyes glinting inside it.
      const slitX0 = side ? hx0 + 1 : c - headHW + 2;
      const slitX1 = side ? c : c + headHW - 3;
      for (let y = eyeY - 1; y < eyeY + eyeH; y++) for (let x = slitX0; x <= slitX1; x++) s.dot(x, y, [26, 22, 40]);
      drawEyes(s, side, c, eyeY, eyeW, eyeH - 1 || 1, Math.max(2, Math.round(headHW * 0.45)), [250, 240, 200], undefined);
    } else {
      const skull = o.headgear === 'skull';
      drawEyes(s, side, c, eyeY - (skull ? 1 : 0), eyeW + (skull ? 1 : 0), eyeH, Math.max(1, Math.round(headHW * 0.4)), dark, w >= 32 && !skull ? TONES.white : undefined);
    }
  }
}

/** A straight limb of the given width from (x0, y0) to (x1, y1), drawn row by row. */
function limb(s: Sprite, x0: number, y0: number, x1: number, y1: number, width: number, m: number): void {
  const rows = Math.max(1, y1 - y0);
  for (let y = y0; y <= y1; y++) {
    const cx = x0 + Math.round(((y - y0) * (x1 - x0)) / rows);
    s.rect(cx - (width >> 1), y, width, 1, m);
  }
}

function drawEyes(s: Sprite, side: boolean, c: number, y: number, ew: number, eh: number, spread: number, colour: Rgb, glint: Rgb | undefined): void {
  const xs = side ? [c - spread - ew] : [c - spread - ew, c + spread];
  for (const x0 of xs) {
    for (let y1 = y; y1 < y + eh; y1++) for (let x1 = x0; x1 < x0 + ew; x1++) s.dot(x1, y1, colour);
    if (glint && ew >= 2) s.dot(x0, y, glint);
  }
}

function drawHeadgear(
  s: Sprite,
  kind: Headgear,
  g: { hx0: number; hx1: number; top: number; headBottom: number; c: number; headH: number; side: boolean; face: boolean; hair: number; hatM: number; trim: number; w: number },
): void {
  const { hx0, hx1, top, headBottom, c, headH, side, face, hair, hatM, trim, w } = g;
  const capLine = top + Math.round(headH * (face ? 0.38 : 0.75));
  switch (kind) {
    case 'hair':
    case 'hood':
    case 'skull': {
      if (kind === 'skull') return;
      const m = kind === 'hood' ? hatM : hair;
      // Cover the head above the cap line, and the sides (and the back when seen from behind).
      for (let y = top - 1; y <= headBottom; y++) {
        for (let x = hx0 - 1; x <= hx1 + 1; x++) {
          if (s.get(x, y) < 0) continue;
          const edge = side ? x >= c + 1 : x <= hx0 + 1 || x >= hx1 - 1;
          if (y <= capLine || (edge && (kind === 'hood' || y < headBottom - 2))) s.set(x, y, m);
        }
      }
      if (kind === 'hood') s.ellipse(hx0 - 1, top - 1, hx1 + 1, top + Math.round(headH * 0.3), m);
      return;
    }
    case 'helmet':
    case 'robot': {
      // A crest or antenna on top.
      const crestH = Math.max(2, Math.round(headH * 0.25));
      if (kind === 'robot') {
        s.rect(c - 1, top - crestH, 2, crestH + 1, trim);
        s.rect(c - 2, top - crestH - 1, 4, 2, trim, 4);
      } else {
        s.rect(c - Math.max(1, Math.round(w / 24)), top - crestH, 2 * Math.max(1, Math.round(w / 24)), crestH + 1, trim);
      }
      return;
    }
    case 'horns': {
      const hh = Math.max(2, Math.round(headH * 0.35));
      s.polygon([[hx0 + 1, top + 3], [hx0 - 2, top - hh], [hx0 + 4, top + 1]], trim);
      s.polygon([[hx1, top + 3], [hx1 + 3, top - hh], [hx1 - 3, top + 1]], trim);
      for (let y = top; y <= capLine; y++) for (let x = hx0; x <= hx1; x++) if (s.get(x, y) >= 0) s.set(x, y, hatM);
      return;
    }
    case 'hat': {
      const brimY = top + Math.round(headH * 0.3);
      const hatH = Math.round(headH * 0.9);
      s.rect(hx0 - 2, brimY, hx1 - hx0 + 5, 2, hatM);
      s.polygon([[hx0, brimY + 1], [hx1 + 1, brimY + 1], [c + (side ? -3 : 2), brimY - hatH]], hatM);
      s.rect(hx0, brimY - 1, hx1 - hx0 + 1, 1, trim);
      return;
    }
    case 'crown': {
      for (let y = top; y <= capLine; y++) for (let x = hx0; x <= hx1; x++) if (s.get(x, y) >= 0) s.set(x, y, hair);
      const ch = Math.max(2, Math.round(headH * 0.28));
      const cw = hx1 - hx0 - 3;
      s.rect(hx0 + 2, top - ch + 2, cw, ch, hatM);
      for (let x = hx0 + 2; x < hx0 + 2 + cw; x += 2) s.set(x, top - ch + 1, hatM, 4);
      return;
    }
  }
}
