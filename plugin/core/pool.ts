/**
 * Runs `task` over `items` with at most `limit` at once, in order of the items. `shouldStart` is
 * asked right before each item starts, so a budget or an interrupt can stop new work while the
 * work already started finishes (it is paid for). If a task throws, no new task starts, the ones
 * in flight are allowed to settle (nothing keeps running behind the caller's back), and the first
 * error is thrown.
 */
export async function runPool<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
  shouldStart: (item: T) => boolean = () => true,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failure) {
      const item = items[next++]!;
      if (!shouldStart(item)) continue;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}
