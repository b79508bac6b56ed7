// Waiting in tests: poll a condition until it holds or a generous bound passes (the machine is shared and may be busy).

/** The bound for conditions that normally hold within a second or two: long enough for a machine at load 10+. */
export const WAIT_MS = 60_000;

/** Polls `check` until it holds or `ms` pass; returns the last answer (never assert on durations). */
export async function waitUntil(check: () => boolean | Promise<boolean>, ms = WAIT_MS): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
