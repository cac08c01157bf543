import { shortKey } from '../core/cache-key.js';
import { formatLocation } from '../core/location.js';
import type { SpriteState } from '../core/session.js';
import { escapeHtml as h } from './html.js';
import { VARIANTS_STYLE, variantsScript } from './variants-page.js';

const STATUS_LABEL: Record<SpriteState['status'], string> = {
  cached: 'cached',
  generated: 'generated',
  generating: 'generating…',
  failed: 'failed',
};

/** A pixel-art sprite as the tab's icon, inline: no request, so no 404 for /favicon.ico. */
const FAVICON = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8" shape-rendering="crispEdges">'
    + '<path fill="#e0b050" d="M2 1h4v1h1v4h-1v1h-4v-1h-1v-4h1z"/><path fill="#1d1b26" d="M3 3h1v1h-1zM5 3h1v1h-1z"/></svg>',
)}`;

function card(s: SpriteState, root: string, hasArt: (key: string) => boolean): string {
  const r = s.request;
  const p = r.payload;
  const record = s.entry?.record;
  const cost = record ? `${record.cost.amount} ${record.cost.unit}` : '—';
  const provider = record?.provider.id ?? (s.standIn ? 'placeholder (stand-in)' : '—');
  const preview = `entry/${h(r.key)}/0`;
  // No art yet (the first generation failed): no image to ask for, so no 404.
  const image = hasArt(r.key) ? `<img src="${preview}" alt="${h(r.sprite)}" loading="lazy">` : '<span class="no-art">no art yet</span>';
  return `<article class="sprite ${h(s.status)}" data-sprite="${h(`${r.atlas}/${r.sprite}`)}" data-key="${h(r.key)}" data-status="${h(s.status)}">
  <div class="preview">${image}</div>
  <h2>${h(r.sprite)} <small>${h(r.atlas)}</small></h2>
  <p class="prompt">${h(p.prompt)}</p>
  <dl>
    <dt>style</dt><dd>${h(p.prompt_style ?? 'default')}</dd>
    <dt>size</dt><dd>${h(p.width)}×${h(p.height)}${p.num_images > 1 ? ` ×${h(p.num_images)}` : ''}</dd>
    <dt>key</dt><dd><code>${h(shortKey(r.key))}</code></dd>
    <dt>provider</dt><dd>${h(provider)}</dd>
    <dt>cost</dt><dd>${h(cost)}</dd>
    <dt>state</dt><dd class="state">${h(STATUS_LABEL[s.status])}${s.error ? `: <span class="error">${h(s.error)}</span>` : ''}</dd>
    <dt>where</dt><dd><code>${h(formatLocation(r.source, root))}</code></dd>
  </dl>
  <div class="actions">
    <button data-action="refresh">Regenerate</button>
    <button data-action="new-seed">New seed</button>
  </div>
</article>`;
}

/** `/__retro-sprites/`: every sprite with its art, prompt, style, size, key, provider, cost and state. */
export function devPageHtml(states: SpriteState[], root: string, error?: string, hasArt: (key: string) => boolean = () => true): string {
  const cards = states.map((s) => card(s, root, hasArt)).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>retro-sprites</title>
<link rel="icon" href="${FAVICON}">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #1d1b26; color: #e8e6f0; }
  header { padding: 16px 24px; background: #2a2736; }
  h1 { margin: 0; font-size: 18px; }
  main { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 16px; padding: 24px; }
  .sprite { background: #2a2736; border-radius: 8px; padding: 12px; }
  .sprite.failed { outline: 2px solid #e0505a; }
  .sprite.generating { outline: 2px dashed #e0b050; }
  .preview { background: repeating-conic-gradient(#3a3646 0% 25%, #332f3f 0% 50%) 50% / 16px 16px; display: flex; align-items: center; justify-content: center; height: 160px; border-radius: 4px; }
  .preview img { image-rendering: pixelated; max-width: 100%; max-height: 160px; min-width: 64px; }
  h2 { font-size: 15px; margin: 8px 0 4px; } h2 small { color: #9a96aa; font-weight: normal; }
  .prompt { color: #c8c4d8; margin: 0 0 8px; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 8px; margin: 0; font-size: 12px; }
  dt { color: #9a96aa; } dd { margin: 0; overflow-wrap: anywhere; }
  .error { color: #ff8a92; }
  .banner { background: #5a1f27; padding: 12px 24px; white-space: pre-wrap; font-family: ui-monospace, monospace; }
  .no-art { color: #9a96aa; }
  button { margin-top: 8px; background: #4b4470; color: inherit; border: 0; border-radius: 4px; padding: 4px 10px; cursor: pointer; }
${VARIANTS_STYLE}</style>
</head>
<body>
<header><h1>retro-sprites · ${states.length} sprite${states.length === 1 ? '' : 's'}</h1></header>
${error ? `<div class="banner">${h(error)}</div>` : ''}
<main>
${cards}
</main>
<script type="module">
  // The page tells the truth without reloading: a click shows "generating" at once (the server
  // says so too from its answer on), and while any sprite generates the page polls api/state and
  // redraws each card whose key or state changed, from the server's own HTML of it.
  const cardOf = (sprite) => [...document.querySelectorAll('[data-sprite]')].find((el) => el.dataset.sprite === sprite);
  let polling = false;

  async function redraw(sprites) {
    const html = await (await fetch(location.pathname, { cache: 'no-store' })).text();
    const doc = new DOMParser().parseFromString(html, 'text/html');
    for (const sprite of sprites) {
      const fresh = [...doc.querySelectorAll('[data-sprite]')].find((el) => el.dataset.sprite === sprite);
      const old = cardOf(sprite);
      if (!fresh || !old) continue;
      // Same key, new art (Regenerate): ask for the image again instead of the one in memory.
      for (const img of fresh.querySelectorAll('img')) img.src = img.getAttribute('src') + '?v=' + Date.now();
      old.replaceWith(document.importNode(fresh, true));
    }
  }

  async function poll() {
    if (polling) return;
    polling = true;
    try {
      for (;;) {
        const states = await (await fetch('api/state', { cache: 'no-store' })).json();
        const changed = states.filter((s) => {
          const el = cardOf(s.sprite);
          return el && (el.dataset.key !== s.key || el.dataset.status !== s.status);
        });
        if (changed.length) await redraw(changed.map((s) => s.sprite));
        if (!states.some((s) => s.status === 'generating')) return;
        await new Promise((r) => setTimeout(r, 400));
      }
    } finally {
      polling = false;
    }
  }

  document.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-action]');
    if (!button) return;
    const el = button.closest('[data-sprite]');
    for (const b of el.querySelectorAll('button')) b.disabled = true;
    el.dataset.status = 'generating';
    el.className = 'sprite generating';
    el.querySelector('.state').textContent = 'generating…';
    const res = await fetch('api/regenerate', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sprite: el.dataset.sprite, mode: button.dataset.action }),
    });
    if (!res.ok) {
      el.querySelector('.state').textContent = 'failed: ' + (await res.text());
      for (const b of el.querySelectorAll('button')) b.disabled = false;
      return;
    }
    poll();
  });
  if (document.querySelector('[data-status="generating"]')) poll();
  ${variantsScript()}
</script>
</body>
</html>
`;
}
