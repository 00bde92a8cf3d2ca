import type { HubConnection, IRetryPolicy, RetryContext } from "@microsoft/signalr";

/** The first reconnect delay of clients/contract.json (`reconnect`). */
export const FIRST_DELAY_MS = 250;

/** The default longest wait between two reconnect attempts. */
export const DEFAULT_MAX_RECONNECT_DELAY_MS = 30_000;

/**
 * The wait before reconnect attempt `previousAttempts + 1`: none for the first, then doubling from 250 ms up to
 * `maxDelayMs`, each drawn between half and all of that ceiling so that many clients cut off together do not
 * come back in lockstep.
 */
export function foreverRetryDelay(previousAttempts: number, maxDelayMs: number, random: () => number = Math.random): number {
  if (previousAttempts <= 0) {
    return 0;
  }

  const ceiling = Math.min(maxDelayMs, FIRST_DELAY_MS * 2 ** Math.min(previousAttempts - 1, 20));
  return ceiling / 2 + (random() * ceiling) / 2;
}

/**
 * Reconnects forever. SignalR's default policy gives up after four attempts, which leaves a page or a
 * service deaf after a longer outage.
 */
export class ForeverRetryPolicy implements IRetryPolicy {
  constructor(private readonly maxDelayMs: number) {}

  nextRetryDelayInMilliseconds(retryContext: RetryContext): number {
    return foreverRetryDelay(retryContext.previousRetryCount, this.maxDelayMs);
  }
}

/**
 * @internal Starts `connection`, retrying by the same rules until the hub answers or `signal` aborts: SignalR's retry
 * policy covers reconnects only, not the first start.
 */
export async function startForever(connection: HubConnection, maxDelayMs: number, signal: AbortSignal): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await connection.start();
      return;
    } catch (error) {
      if (signal.aborted) {
        throw signal.reason ?? error;
      }

      await delay(foreverRetryDelay(attempt, maxDelayMs), signal);
    }
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }

    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
