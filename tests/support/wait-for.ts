// Polls an async probe until it gives a value, for tests that wait on another process or a loop: the value, or an error naming what never came.
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, { timeoutMs = 20_000, intervalMs = 50 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}
