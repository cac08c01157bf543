import { createImage } from '../../../../plugin/core/image/bitmap.js';
import { encodePng } from '../../../../plugin/core/image/png.js';
import {
  createRetroDiffusionProvider,
  type RetroDiffusionOptions,
} from '../../../../plugin/core/providers/retrodiffusion/index.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../../../plugin/emulator/index.js';

/** A key that would be easy to spot anywhere it leaks. */
export const KEY = 'rdpk-SECRET-4f1c9e7a';

export interface Harness {
  emu: Emulator;
  serverLog: string[];
  clientLog: string[];
  provider: ReturnType<typeof createRetroDiffusionProvider>;
  close(): Promise<void>;
}

/** An emulator on an ephemeral port and a client for it whose retries wait a few ms, not seconds. */
export async function harness(emuOpts: EmulatorOptions = {}, clientOpts: Partial<RetroDiffusionOptions> = {}): Promise<Harness> {
  const serverLog: string[] = [];
  const clientLog: string[] = [];
  const emu = await startEmulator({ token: KEY, log: (l) => serverLog.push(l), ...emuOpts });
  const provider = createRetroDiffusionProvider({
    apiKey: KEY,
    baseUrl: emu.url,
    log: (l) => clientLog.push(l),
    logRequests: true,
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 30 },
    ...clientOpts,
  });
  return {
    emu,
    serverLog,
    clientLog,
    provider,
    close: async () => {
      await provider.close?.();
      await emu.close();
    },
  };
}

/** An opaque RGB PNG as the API wants input images: raw base64, no data: prefix. */
export function rgbPngBase64(width = 8, height = 8): string {
  const img = createImage(width, height);
  for (let i = 0; i < img.data.length; i += 4) {
    img.data[i] = (i * 7) & 255;
    img.data[i + 1] = 90;
    img.data[i + 2] = 200;
    img.data[i + 3] = 255;
  }
  return Buffer.from(encodePng(img, { rgb: true })).toString('base64');
}

/** Catches the rejection of a promise, failing if it resolves. */
export async function failure(p: Promise<unknown>): Promise<Error & { code?: string; status?: number; retryable?: boolean; requestId?: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the request to fail, but it succeeded');
}
