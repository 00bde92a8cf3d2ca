import type { HubNotification } from "./messages.js";

/**
 * @internal Per database, the moment up to which delivery to this client is known to be complete: where a lost
 * connection's `client-reconnected` window starts. It is the hub's `receivedAt` of the last notification of that
 * database that arrived (the hub delivers a database's notifications in the order it received them, so anything
 * missed after it was received by the hub later), or when the database's subscription was confirmed, if nothing
 * arrived since (every NOTIFY committed after that is delivered).
 *
 * Only notifications move a mark: neither a ping nor any other message proves that the notifications the hub had
 * received by then reached this connection (they may still be on their way between instances, or in a queue a
 * stopping instance drops). The client's own receive time would not do either: the hub received whatever followed the
 * last notification before that notification arrived here. A reconnect whose resubscription failed leaves the mark
 * where it was, so the next successful one still covers the whole time away.
 */
export class DeliveryMarks {
  private readonly marks = new Map<string, number>();

  /** A notification arrived: everything of its database the hub received up to it was delivered. */
  delivered(notification: HubNotification): void {
    this.advance(notification.database, notification.receivedAt.getTime());
  }

  /**
   * The hub confirmed a subscription to `database` at `at`. Starts the mark of a database that has none; an existing
   * mark stays (a notification of another channel may still be on its way).
   */
  subscribed(database: string, at: Date): void {
    if (!this.marks.has(database)) {
      this.marks.set(database, at.getTime());
    }
  }

  /** A resync up to `until` was raised for `database`: what came before is covered. */
  covered(database: string, until: Date): void {
    this.advance(database, until.getTime());
  }

  /** The client no longer follows `database`. */
  forget(database: string): void {
    this.marks.delete(database);
  }

  /** Where a window of `database` starts; the start of time for a database without a mark. */
  sinceFor(database: string): Date {
    return new Date(this.marks.get(database) ?? 0);
  }

  private advance(database: string, at: number): void {
    const mark = this.marks.get(database);
    if (mark === undefined || at > mark) {
      this.marks.set(database, at);
    }
  }
}
