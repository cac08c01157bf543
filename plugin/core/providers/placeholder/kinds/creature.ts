import { TONES, mix, type Rgb } from '../palette.js';
import type { Look } from '../look.js';
import type { Body } from '../prompt.js';
import type { Rng } from '../prng.js';
import type { Sprite } from '../sprite.js';
import { drawHumanoid } from './humanoid.js';

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A front-facing creature filling the box, mirror-symmetric, with eyes. */
export function drawCreature(s: Sprite, box: Box, body: Body, subject: string, look: Look, rng: Rng): void {
  switch (body) {
    case 'humanoid':
      drawHumanoid(s, box, subject, look);
      break;
    case 'blob':
      drawBlob(s, box, subject, look, rng, 0);
      break;
    case 'beast':
      drawBeast(s, box, subject, look, rng);
      break;
    case 'flyer':
      drawFlyer(s, box, subject, look, rng);
      break;
    case 'monster':
      drawMonster(s, box, look, rng);
      break;
  }
}

/** Big friendly eyes: a dark iris with a white glint, mirrored about the box centre. */
export function eyes(s: Sprite, cx2: number, y: number, spread: number, size: number, colour: Rgb = TONES.eye): void {
  // cx2 is twice the centre x, so odd and even widths stay symmetric.
  const ew = Math.max(1, size);
  const eh = Math.max(1, size + (size >= 2 ? 1 : 0));
  const left = ((cx2 - 1) >> 1) - spread - ew + 1;
  const right = cx2 - 1 - left - ew + 1;
  for (const x0 of [left, right]) {
    for (let yy = y; yy < y + eh; yy++) for (let xx = x0; xx < x0 + ew; xx++) s.dot(xx, yy, colour);
    if (ew >= 2) s.dot(x0, y, TONES.white);
  }
}

export function drawBlob(s: Sprite, b: Box, subject: string, look: Look, rng: Rng, squash: number): void {
  const body = s.material(look.primary);
  const ghost = subject === 'ghost' || subject === 'spirit' || subject === 'wisp';
  // Proportions vary per variant; squash widens as it flattens (the hop of a walking blob).
  const shape = rng.fork('shape');
  const top = b.y + Math.round((b.h * shape.range(10, 30)) / 100) + squash;
  const bottom = b.y + b.h - 1;
  const widen = squash;
  const side = Math.round((b.w * shape.range(2, 14)) / 100);
  const x0 = b.x + side - widen;
  const x1 = b.x + b.w - 1 - side + widen;
  if (ghost) {
    const headBottom = bottom - Math.round(b.h * 0.25);
    s.ellipse(x0 + 2, b.y + 2, x1 - 2, headBottom, body);
    s.rect(x0 + 2, Math.round((b.y + 2 + headBottom) / 2), x1 - x0 - 3, bottom - Math.round((b.y + 2 + headBottom) / 2) + 1, body);
    // A ragged hem: notches cut from the bottom edge.
    const teeth = 3;
    const span = x1 - x0 - 3;
    const tw = Math.max(1, Math.floor(span / (teeth * 2 + 1)));
    for (let i = 0; i < teeth; i++) {
      const tx = x0 + 2 + tw + i * 2 * tw + Math.floor((span - (teeth * 2 + 1) * tw) / 2);
      for (let y = bottom - tw; y <= bottom; y++) for (let x = tx + (bottom - y); x < tx + tw + tw - (bottom - y) && x < tx + 2 * tw; x++) s.clear(x, y);
    }
    s.mirrorX(b.x, b.w);
  } else {
    // A dome: ellipse on top, flat bottom.
    const mid = Math.round((top + bottom) / 2) + 1;
    s.ellipse(x0, top, x1, bottom + (bottom - top) / 2, body);
    for (let y = bottom + 1; y < b.y + b.h + b.h; y++) for (let x = x0; x <= x1; x++) s.clear(x, y);
    s.rect(x0 + 1, mid, x1 - x0 - 1, bottom - mid + 1, body);
    for (let x = x0 + 1; x < x1; x++) if (s.get(x, bottom) >= 0) s.set(x, bottom, body, 1);
    // Shine.
    const shine = Math.max(1, Math.round(b.w / 16));
    s.rect(x0 + Math.round((x1 - x0) * 0.2), top + Math.round((bottom - top) * 0.2), shine, shine * 2, body, 4);
    if (rng.chance(1, 2)) s.rect(x0 + Math.round((x1 - x0) * 0.2) + shine + 1, top + Math.round((bottom - top) * 0.16), shine, shine, body, 4);
  }
  const size = Math.max(1, Math.round(b.w / shape.range(11, 16)));
  eyes(s, 2 * b.x + b.w, top + Math.round(((bottom - top) * shape.range(34, 48)) / 100), Math.max(1, Math.round((b.w * shape.range(6, 14)) / 100)), size);
  // A small mouth.
  const mouthY = top + Math.round((bottom - top) * 0.68);
  const mw = Math.max(1, Math.round(b.w / 12));
  for (let x = b.x + (b.w >> 1) - mw; x < b.x + b.w - (b.w >> 1) + mw; x++) s.dot(x, mouthY, mix(look.primary, [20, 10, 30], 200));
}

function drawBeast(s: Sprite, b: Box, subject: string, look: Look, rng: Rng): void {
  const fur = s.material(look.primary);
  const belly = s.material(look.secondary === look.primary ? TONES.white : mix(look.secondary, TONES.white, 90));
  const nose = s.material([50, 36, 44]);
  const cx2 = 2 * b.x + b.w;
  const cx = cx2 >> 1;
  // Body (seen from the front, sitting) and two front paws.
  const bodyTop = b.y + Math.round(b.h * 0.45);
  s.ellipse(b.x + Math.round(b.w * 0.16), bodyTop, b.x + b.w - 1 - Math.round(b.w * 0.16), b.y + b.h - 1, fur);
  s.ellipse(cx - Math.round(b.w * 0.14), bodyTop + Math.round(b.h * 0.12), cx2 - 1 - (cx - Math.round(b.w * 0.14)), b.y + b.h - 2, belly);
  const pawW = Math.max(2, Math.round(b.w * 0.12));
  s.rect(cx - Math.round(b.w * 0.05) - pawW, b.y + b.h - Math.max(2, Math.round(b.h * 0.1)), pawW, Math.max(2, Math.round(b.h * 0.1)), fur);
  s.rect(cx2 - (cx - Math.round(b.w * 0.05)), b.y + b.h - Math.max(2, Math.round(b.h * 0.1)), pawW, Math.max(2, Math.round(b.h * 0.1)), fur);
  // Head.
  const hx0 = b.x + Math.round(b.w * 0.12);
  const hx1 = cx2 - 1 - hx0;
  const hTop = b.y + Math.round(b.h * 0.12);
  const hBottom = b.y + Math.round(b.h * 0.62);
  // Ears: pointy for most, floppy for dogs and bears.
  const floppy = ['dog', 'puppy', 'bear', 'panda', 'pig', 'cow', 'sheep', 'monkey', 'hamster', 'mouse'].includes(subject);
  const earW = Math.max(2, Math.round(b.w * 0.16));
  const earH = Math.max(3, Math.round(b.h * (subject === 'rabbit' || subject === 'bunny' ? 0.3 : 0.18)));
  if (floppy) {
    s.ellipse(hx0 - 1, hTop + 1, hx0 + earW, hTop + earH * 2, fur);
    s.ellipse(hx1 - earW, hTop + 1, hx1 + 1, hTop + earH * 2, fur);
  } else {
    s.polygon([[hx0 + 1, hTop + earH], [hx0 + 1, hTop - earH + 2], [hx0 + 1 + earW + 1, hTop + 2]], fur);
    s.polygon([[hx1, hTop + earH], [hx1, hTop - earH + 2], [hx1 - earW - 1, hTop + 2]], fur);
  }
  s.ellipse(hx0, hTop, hx1, hBottom, fur);
  s.mirrorX(b.x, b.w);
  // Muzzle and nose.
  const mw = Math.max(2, Math.round(b.w * 0.16));
  s.ellipse(cx - mw, hTop + Math.round((hBottom - hTop) * 0.5), cx2 - 1 - (cx - mw), hBottom - 1, belly);
  const nw = Math.max(1, Math.round(b.w / 20));
  s.rect(cx - nw, hTop + Math.round((hBottom - hTop) * 0.58), cx2 - 2 * (cx - nw), Math.max(1, nw), nose);
  eyes(s, cx2, hTop + Math.round((hBottom - hTop) * 0.36), Math.max(1, Math.round(b.w * 0.1)), Math.max(1, Math.round(b.w / 16)));
  if (rng.chance(1, 3)) s.rect(cx - 1, hBottom - Math.max(1, nw), 2, Math.max(1, nw), s.material([220, 90, 110]));
}

function drawFlyer(s: Sprite, b: Box, subject: string, look: Look, rng: Rng): void {
  const bodyM = s.material(look.primary);
  const wingM = s.material(mix(look.primary, look.secondary, 110));
  const bellyM = s.material(mix(look.primary, TONES.white, 110));
  const beakM = s.material(TONES.gold);
  const cx2 = 2 * b.x + b.w;
  const cx = cx2 >> 1;
  const wingTop = b.y + Math.round(b.h * 0.2);
  const wingBottom = b.y + Math.round(b.h * 0.72);
  const bat = subject === 'bat' || subject === 'dragon' || subject === 'wyvern' || subject === 'demon';
  const insect = subject === 'butterfly' || subject === 'moth' || subject === 'bee' || subject === 'fairy';
  // Left wing (mirrored later).
  if (insect) {
    s.ellipse(b.x + 1, wingTop - 2, cx - 1, Math.round((wingTop + wingBottom) / 2), wingM);
    s.ellipse(b.x + Math.round(b.w * 0.12), Math.round((wingTop + wingBottom) / 2) - 1, cx - 1, wingBottom + 2, wingM);
  } else if (bat) {
    s.polygon([[cx - 1, wingTop + 3], [b.x, wingTop - 1], [b.x + 1, wingBottom], [b.x + Math.round(b.w * 0.14), wingBottom - 3], [b.x + Math.round(b.w * 0.26), wingBottom], [cx - 1, wingBottom - 2]], wingM);
  } else {
    s.polygon([[cx - 1, wingTop + 2], [b.x, wingTop + Math.round(b.h * 0.1)], [b.x + Math.round(b.w * 0.06), wingBottom], [cx - 1, wingBottom]], wingM);
    for (let y = wingTop + 4; y < wingBottom; y += Math.max(2, Math.round(b.h / 12))) s.line(b.x + 2, y, cx - 4, y - 2, wingM, 1);
  }
  // Body and head.
  const bw = Math.max(3, Math.round(b.w * 0.2));
  s.ellipse(cx - bw, b.y + Math.round(b.h * 0.3), cx2 - 1 - (cx - bw), b.y + b.h - 2, bodyM);
  s.ellipse(cx - bw + 2, b.y + Math.round(b.h * 0.5), cx2 - 1 - (cx - bw + 2), b.y + b.h - 4, bellyM);
  const hw = Math.max(3, Math.round(b.w * 0.22));
  const hTop = b.y + Math.round(b.h * 0.06);
  const hBottom = b.y + Math.round(b.h * 0.46);
  s.ellipse(cx - hw, hTop, cx2 - 1 - (cx - hw), hBottom, bodyM);
  if (bat || subject === 'owl') {
    s.polygon([[cx - hw + 1, hTop + 3], [cx - hw, hTop - 3], [cx - hw + 4, hTop + 1]], bodyM);
  }
  if (subject === 'dragon' || subject === 'wyvern') s.polygon([[cx - 2, hTop + 1], [cx - hw - 1, hTop - 4], [cx - hw + 2, hTop + 3]], beakM);
  s.mirrorX(b.x, b.w);
  eyes(s, cx2, hTop + Math.round((hBottom - hTop) * 0.4), Math.max(1, Math.round(hw * 0.35)), Math.max(1, Math.round(b.w / 16)));
  if (!bat && !insect) {
    const bk = Math.max(1, Math.round(b.w / 20));
    s.polygon([[cx - bk - 1, hBottom - Math.round((hBottom - hTop) * 0.3)], [cx2 - cx + bk + 1, hBottom - Math.round((hBottom - hTop) * 0.3)], [cx, hBottom + bk]], beakM);
  }
  if (rng.chance(1, 2) && insect) s.line(cx - 2, hTop, cx - 4, hTop - 3, bodyM);
}

/**
 * A creature nobody named: a random half-mask, smoothed like a cellular automaton, mirrored, with
 * eyes where the body is widest near the top. The seed picks the shape, so each one is stable.
 */
export function drawMonster(s: Sprite, b: Box, look: Look, rng: Rng): void {
  const cell = Math.max(1, Math.round(Math.min(b.w, b.h) / 14));
  const cols = Math.max(3, Math.floor(b.w / cell / 2));
  const rows = Math.max(4, Math.floor(b.h / cell));
  let grid: boolean[][] = [];
  for (let r = 0; r < rows; r++) {
    const row: boolean[] = [];
    for (let c = 0; c < cols; c++) {
      // Likelier near the spine and the middle rows: it keeps the shape one body, not confetti.
      const centre = cols - 1 - c;
      const vert = Math.abs(2 * r - rows) / rows;
      const p = 85 - centre * (60 / cols) - vert * 40;
      row.push(r > 0 && r < rows - 1 && c > 0 && rng.int(100) < p);
    }
    grid.push(row);
  }
  for (let pass = 0; pass < 2; pass++) {
    grid = grid.map((row, r) =>
      row.map((on, c) => {
        let n = 0;
        for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) {
          if (!dr && !dc) continue;
          const rr = r + dr;
          const cc = c + dc >= cols ? cols - 1 - (c + dc - cols) : c + dc;
          if (grid[rr]?.[cc]) n++;
        }
        return on ? n >= 3 : n >= 5;
      }),
    );
  }
  // Keep the spine solid so the two halves join.
  for (let r = Math.round(rows * 0.2); r < Math.round(rows * 0.85); r++) grid[r]![cols - 1] = true;
  const body = s.material(look.primary);
  const spots = s.material(look.secondary);
  const ox = b.x + (b.w >> 1) - cols * cell;
  const oy = b.y + ((b.h - rows * cell) >> 1);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    if (!grid[r]![c]) continue;
    const m = rng.int(9) === 0 && r > rows / 2 ? spots : body;
    s.rect(ox + c * cell, oy + r * cell, cell, cell, m);
  }
  s.mirrorX(b.x, b.w);
  // Eyes on the widest row of the upper half.
  let eyeRow = Math.round(rows * 0.35);
  let widest = -1;
  for (let r = Math.round(rows * 0.2); r < Math.round(rows * 0.55); r++) {
    const wdt = grid[r]!.filter(Boolean).length;
    if (wdt > widest) {
      widest = wdt;
      eyeRow = r;
    }
  }
  const eyeSize = Math.max(1, Math.round(cell * 1.2));
  eyes(s, 2 * (ox + cols * cell), oy + eyeRow * cell, Math.max(1, Math.round(Math.min(widest, 3) * cell * 0.5)), eyeSize);
}
