import type { ClientSubscriptions } from "./clientSubscriptions.js";
import type { DeliveryMarks } from "./deliveryMarks.js";
import type { HubCalls } from "./hubCalls.js";
import { CLIENT_RECONNECTED, type HubResync } from "./messages.js";
import type { StreamCursors } from "./streamCursors.js";

/**
 * @internal Subscribes a new connection to everything the client had: durable channels resume from their positions
 * (a recovered resume missed nothing; an unrecovered one gets the hub's `history-unavailable` resync), the others get
 * one `client-reconnected` resync per database for the time the client was away.
 */
export class Resubscriber {
  constructor(
    private readonly subscriptions: ClientSubscriptions,
    private readonly calls: HubCalls,
    private readonly cursors: StreamCursors,
    private readonly marks: DeliveryMarks,
  ) {}

  /**
   * Resubscribes inside the subscriptions' gate, so a subscribe or unsubscribe made meanwhile runs before or after
   * it, and calls `failed` for each database it could not resubscribe to (the client tries again on the next
   * reconnect).
   *
   * @returns The resyncs to raise, each from its database's {@link DeliveryMarks} mark to the moment its channels were
   * all subscribed again (a notification committed before then may be missing); the caller raises them once the gate
   * is released.
   */
  resubscribe(failed: (database: string, error: unknown) => void): Promise<HubResync[]> {
    return this.subscriptions.exclusive(async () => {
      const resyncs: HubResync[] = [];
      for (const [database, channels] of this.subscriptions.current) {
        // Read before subscribing: the new connection's notifications move the mark once it is subscribed.
        const since = this.marks.sinceFor(database);
        try {
          if (await this.resubscribeDatabase(database, channels)) {
            const until = new Date();
            this.marks.covered(database, until);
            resyncs.push({ database, reason: CLIENT_RECONNECTED, since, until });
          }
        } catch (error) {
          failed(database, error);
        }
      }

      return resyncs;
    });
  }

  /** Resubscribes to the channels of one database; true when one of them may have missed notifications. */
  private async resubscribeDatabase(database: string, channels: readonly string[]): Promise<boolean> {
    let missedAny = false;
    for (const channel of channels) {
      const position = this.cursors.resumePosition(database, channel);
      if (position !== undefined) {
        await this.calls.subscribeFrom(database, channel, position);
      } else {
        await this.calls.subscribe(database, channel);
        missedAny = true;
      }
    }

    return missedAny;
  }
}
