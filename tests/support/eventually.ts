/**
 * Polls `probe` until it returns something other than undefined, for effects that land a little after
 * the call that caused them (a reconnect, a log line written once the response is sent). Fails with
 * `what` after `timeoutMs`; the bound is a safety net, never the assertion.
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Gave up waiting for ${what} after ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}
