import { RetroSpritesError } from '../../core/errors.js';
import { formatCost } from '../../core/providers/retrodiffusion/index.js';
import { selectProvider } from '../../core/providers/select.js';
import { stringValue, type Command, type CommandContext } from '../command.js';

export const creditsCommand: Command = {
  usage: 'Asks GET /v1/inferences/credits with the key from RD_API_KEY and prints the credits\n(and the USD balance, where the API reports one).',
  options: {},
  async run(ctx: CommandContext): Promise<number> {
    const name = stringValue(ctx.values, 'provider') ?? 'retrodiffusion';
    // The placeholder has no account: suggesting it here would answer another question.
    if (name === 'retrodiffusion' && !ctx.env.RD_API_KEY?.trim()) {
      throw new RetroSpritesError(
        'missing-key',
        'credits asks your RetroDiffusion account, which needs an API key: set RD_API_KEY (get one at https://www.retrodiffusion.ai/app/devtools) and run it again (with RD_API_URL to ask the emulator)',
      );
    }
    const { provider } = selectProvider({ provider: name, env: ctx.env });
    try {
      if (!('balances' in provider) || typeof provider.balances !== 'function') {
        ctx.io.out(`the ${provider.id} provider is free: no credits to report`);
        return 0;
      }
      const balances = await (provider.balances as () => Promise<Array<{ amount: number; unit: 'credits' | 'usd' }>>)();
      ctx.io.out(`${balances.map(formatCost).join(', ')} left`);
      return 0;
    } finally {
      await provider.close?.();
    }
  },
};
