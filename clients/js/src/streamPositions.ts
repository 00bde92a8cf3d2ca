/**
 * Positions of an outbox database's stream (`HubNotification.position`). The hub documents their text form as
 * ordered: a format version and the outbox's epoch (its incarnation) in the first 17 characters, then the place in
 * the stream as fixed-width lower-case hex, so two positions of one epoch compare as ordinal strings. Positions of
 * different epochs (the outbox was truncated or reinstalled between them) have no order.
 */

/** Characters of the format version and the epoch at the start of a position. */
export const EPOCH_PREFIX_LENGTH = 17;

/** Whether `a` and `b` are positions of the same incarnation of the outbox. */
export function sameStreamEpoch(a: string, b: string): boolean {
  return a.length >= EPOCH_PREFIX_LENGTH
    && b.length >= EPOCH_PREFIX_LENGTH
    && a.slice(0, EPOCH_PREFIX_LENGTH) === b.slice(0, EPOCH_PREFIX_LENGTH);
}

/**
 * Negative when `a` comes before `b` in the stream, zero when they are the same place, positive when after; null
 * when they are of different epochs and so have no order.
 */
export function compareStreamPositions(a: string, b: string): -1 | 0 | 1 | null {
  if (!sameStreamEpoch(a, b)) {
    return null;
  }

  // Code-unit order, like .NET's ordinal comparison; positions are ASCII.
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * @internal Whether `candidate` is news after `last`: later in the same epoch, or of another epoch (a new
 * incarnation's positions start over and come after everything of the old one).
 */
export function supersedes(candidate: string, last: string | null | undefined): boolean {
  if (last === null || last === undefined) {
    return true;
  }

  const order = compareStreamPositions(candidate, last);
  return order === null || order > 0;
}
