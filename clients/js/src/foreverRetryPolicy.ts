import type { IRetryPolicy, RetryContext } from "@microsoft/signalr";

/** The reconnect rules of clients/contract.json (`reconnect`). */
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
