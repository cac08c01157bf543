import { createServer, type Logger, type ViteDevServer } from 'vite';
import { retroSprites } from '../../plugin/index.js';
import { collectingLogger } from './vite.js';

export interface Sent {
  type: string;
  event?: string;
  data?: { atlases: { key: string; images: string[] }[]; images: unknown[]; anims: unknown[]; clearError: boolean };
  err?: { message: string; loc?: { file: string; line: number; column: number }; frame?: string };
}

export interface SpriteStateJson {
  sprite: string;
  key: string;
  status: string;
  error?: string;
  standIn: boolean;
}

export interface Dev {
  server: ViteDevServer;
  url: string;
  sent: Sent[];
  logger: Logger & { lines: string[] };
  state(): Promise<SpriteStateJson[]>;
  /** A dev-page button press: POST `api/regenerate` as the page sends it (JSON and its token). */
  regenerate(body: unknown): Promise<Response>;
}

/** The token the dev page embeds for its buttons, read from the page as a browser would. */
export async function devToken(url: string): Promise<string> {
  const page = await (await fetch(`${url}/__retro-sprites/`)).text();
  const m = /<meta name="retro-sprites-token" content="([^"]+)">/.exec(page);
  if (!m) throw new Error('the dev page embeds no token');
  return m[1]!;
}

/** The dev server on an ephemeral port, every HMR message it sends recorded, as dev.test.ts does. */
export async function startDev(root: string, options: Parameters<typeof retroSprites>[0] = {}): Promise<Dev> {
  const logger = collectingLogger();
  const server = await createServer({
    root,
    configFile: false,
    customLogger: logger,
    logLevel: 'info',
    plugins: [retroSprites({ dts: false, ...options })],
    server: { port: 0, host: '127.0.0.1', strictPort: false },
  });
  await server.listen();
  const sent: Sent[] = [];
  // Vite 8: a plugin talks to the page through the client environment's own HMR channel, not the
  // shared socket; only what goes through that channel is recorded.
  const hot = server.environments.client.hot;
  const original = hot.send.bind(hot);
  hot.send = ((payload: Sent) => {
    sent.push(payload);
    return original(payload as never);
  }) as typeof hot.send;
  const address = server.httpServer!.address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  // What the page's `import 'virtual:retro-sprites'` asks for, through the client environment.
  const mod = await fetch(`${url}/@id/virtual:retro-sprites`);
  if (!mod.ok) throw new Error(`virtual:retro-sprites: HTTP ${mod.status}: ${await mod.text()}`);
  return {
    server,
    url,
    sent,
    logger,
    state: async () => (await (await fetch(`${url}/__retro-sprites/api/state`)).json()) as SpriteStateJson[],
    regenerate: async (body) => {
      // Node's fetch sends Sec-Fetch-Mode like a browser: so send the Origin a browser would, too.
      const headers = { 'content-type': 'application/json', origin: url, 'x-retro-sprites-token': await devToken(url) };
      return fetch(`${url}/__retro-sprites/api/regenerate`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
    },
  };
}

export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 15_000, everyMs = 25): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Sets RD_API_KEY / RD_API_URL for the plugin (it reads process.env) and restores them. It also
 * lifts CI for the while: CI freezes the cache with the real API, and a test that calls this means
 * to spend (against the emulator).
 */
export function withApiEnv(key: string, url: string): () => void {
  const names = ['RD_API_KEY', 'RD_API_URL', 'CI'] as const;
  const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
  process.env.RD_API_KEY = key;
  process.env.RD_API_URL = url;
  delete process.env.CI;
  return () => {
    for (const n of names) {
      if (saved[n] === undefined) delete process.env[n];
      else process.env[n] = saved[n];
    }
  };
}
