import { describe, expect, it } from 'vitest';
import { selectProvider } from '../../../../plugin/core/providers/select.js';
import { startEmulator } from '../../../../plugin/emulator/index.js';
import { KEY } from './helpers.js';

describe('choosing a provider', () => {
  it('uses the placeholder with a one-line notice when no key is set', () => {
    const choice = selectProvider({ env: {} });
    expect(choice.provider.id).toBe('placeholder');
    expect(choice.notice).toMatch(/^RD_API_KEY is not set: .*placeholder/);
    expect(choice.notice).not.toContain('\n');
  });

  it('uses RetroDiffusion when RD_API_KEY is set, with no notice', async () => {
    const choice = selectProvider({ env: { RD_API_KEY: KEY } });
    expect(choice.provider.id).toBe('retrodiffusion');
    expect(choice.notice).toBeUndefined();
    await choice.provider.close?.();
  });

  it('--provider placeholder wins over a key, without a notice', () => {
    const choice = selectProvider({ provider: 'placeholder', env: { RD_API_KEY: KEY } });
    expect(choice.provider.id).toBe('placeholder');
    expect(choice.notice).toBeUndefined();
  });

  it('--provider retrodiffusion without a key is a clear error before any request', () => {
    expect(() => selectProvider({ provider: 'retrodiffusion', env: {} })).toThrow(
      /provider retrodiffusion needs an API key: set RD_API_KEY .* or use --provider placeholder/,
    );
  });

  it('an unknown provider name lists the choices', () => {
    expect(() => selectProvider({ provider: 'dalle', env: {} })).toThrow(/unknown provider "dalle"; use one of: retrodiffusion, placeholder/);
  });

  it('takes the key from RD_API_KEY first, the apiKey option second, and the URL from RD_API_URL', async () => {
    const emu = await startEmulator({ token: KEY });
    try {
      const fromEnv = selectProvider({ env: { RD_API_KEY: KEY, RD_API_URL: emu.url }, apiKey: 'ignored' });
      const fromOption = selectProvider({ env: { RD_API_URL: emu.url }, apiKey: KEY });
      for (const { provider } of [fromEnv, fromOption]) {
        await provider.estimateCost({ model: 'RD_FLUX', prompt: 'x', width: 64, height: 64, num_images: 1 });
        await provider.close?.();
      }
      expect(emu.received.map((r) => r.headers['x-rd-token'])).toEqual([KEY, KEY]);
    } finally {
      await emu.close();
    }
  });
});
