/**
 * The dev page's "Variants" flow, added to each sprite card by script (the cards themselves stay as
 * dev-page.ts draws them): ask how many, show the estimated cost, then the variants side by side as
 * they arrive, each with "Keep".
 */
export const VARIANTS_STYLE = `
  .variants { margin-top: 8px; display: flex; flex-wrap: wrap; gap: 6px; align-items: flex-end; }
  .variants figure { margin: 0; background: #1d1b26; padding: 4px; border-radius: 4px; text-align: center; font-size: 11px; }
  .variants img { image-rendering: pixelated; width: 64px; height: 64px; object-fit: contain; display: block; }
  .variants .estimate { width: 100%; }
`;

/** Module code, placed inside the page's one script (no second script element on the page). */
export function variantsScript(): string {
  return `{
  const post = async (path, body) => {
    const res = await fetch('api/variants/' + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const data = await res.json();
    if (!res.ok) throw new Error(data.error || res.statusText);
    return data;
  };
  for (const card of document.querySelectorAll('article[data-sprite]')) {
    const sprite = card.dataset.sprite;
    const open = document.createElement('button');
    open.className = 'variants-open';
    open.textContent = 'Variants';
    card.querySelector('.actions').append(open);
    const box = document.createElement('div');
    box.className = 'variants';
    card.append(box);
    open.addEventListener('click', async () => {
      box.innerHTML = '<label>how many <input class="variants-count" type="number" min="1" max="16" value="4" style="width:3em"></label> <button class="variants-estimate">Estimate</button>';
      box.querySelector('.variants-estimate').addEventListener('click', async () => {
        const count = Number(box.querySelector('.variants-count').value);
        try {
          const est = await post('estimate', { sprite, count });
          box.innerHTML = '<p class="estimate">' + count + ' variants, estimated cost <b class="variants-cost"></b>' + (est.cached ? ' (' + est.cached + ' cached)' : '') + '</p><button class="variants-go">Generate</button>';
          box.querySelector('.variants-cost').textContent = est.estimate;
          box.querySelector('.variants-go').addEventListener('click', () => start(count));
        } catch (err) { box.textContent = err.message; }
      });
    });
    async function start(count) {
      box.innerHTML = '';
      const shown = new Map();
      const show = (v) => {
        let fig = shown.get(v.seed);
        if (!fig) {
          fig = document.createElement('figure');
          fig.className = 'variant pending';
          fig.dataset.seed = String(v.seed);
          fig.innerHTML = '<img alt=""><figcaption></figcaption>';
          box.append(fig);
          shown.set(v.seed, fig);
        }
        if (v.status === 'done' && !fig.classList.contains('done')) {
          fig.className = 'variant done';
          fig.querySelector('img').src = 'api/variants/image/' + v.key;
          fig.querySelector('figcaption').textContent = 'seed ' + v.seed + ' · ' + v.cost;
          const keep = document.createElement('button');
          keep.className = 'variants-keep';
          keep.textContent = 'Keep';
          keep.addEventListener('click', async () => {
            try { await post('keep', { sprite, seed: v.seed }); box.querySelectorAll('.variants-keep').forEach((b) => b.remove()); fig.classList.add('kept'); fig.querySelector('figcaption').textContent = 'kept: seed ' + v.seed; }
            catch (err) { alert(err.message); }
          });
          fig.append(keep);
        } else if (v.status === 'failed') {
          fig.className = 'variant failed';
          fig.querySelector('figcaption').textContent = 'seed ' + v.seed + ' failed: ' + v.error;
        }
      };
      try {
        const first = await post('start', { sprite, count });
        first.variants.forEach(show);
        while ([...first.variants].length && [...shown.values()].some((f) => f.classList.contains('pending'))) {
          await new Promise((r) => setTimeout(r, 300));
          (await post('state', { sprite })).variants.forEach(show);
        }
      } catch (err) { box.append(err.message); }
    }
  }
}`;
}
