/**
 * Runs `task` over `items` with at most `limit` at once, in order of the items. `shouldStart` is
 * asked right before each item starts, so a budget or an interrupt can stop new work while the
 * work already started finishes (it is paid for).
 */
export async function runPool<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
  shouldStart: (item: T) => boolean = () => true,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      if (!shouldStart(item)) continue;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
