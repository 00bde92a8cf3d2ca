import type { HubConnection } from "@microsoft/signalr";
import { toHubError } from "./hubError.js";
import { HubMethods, type StreamSubscription } from "./messages.js";
import type { StreamCursors } from "./streamCursors.js";

/**
 * @internal The hub's methods as typed calls on the connection, a refusal rejecting with a {@link HubError};
 * `SubscribeFrom` also moves the stream cursors to where its answer says the subscription stands.
 */
export class HubCalls {
  constructor(private readonly connection: HubConnection, private readonly cursors: StreamCursors) {}

  /** `Subscribe`: the channels of the database the connection is subscribed to now. */
  subscribe(database: string, channel: string | null): Promise<string[]> {
    return this.invoke<string[]>(HubMethods.subscribe, database, channel);
  }

  /** `SubscribeFrom`, with the asked channels' cursors set from its answer. */
  async subscribeFrom(database: string, channel: string | null, since: string | null): Promise<StreamSubscription> {
    const subscription = await this.invoke<StreamSubscription>(HubMethods.subscribeFrom, database, channel, since);
    // The answer lists every channel of the database this connection has; only the asked ones were replayed. They
    // start from 'since' and the replayed notifications advance them, as in the .NET client, whose handlers run on
    // their own loop and may not have seen the replay yet when the answer arrives.
    // Started live, a channel that was live already keeps its own position.
    const from = since !== null && subscription.recovered ? since : subscription.position;
    this.cursors.resumed(database, channel === null ? subscription.channels : [channel], from, since === null);
    return subscription;
  }

  /** `Unsubscribe`. */
  unsubscribe(database: string, channel: string | null): Promise<void> {
    return this.invoke<void>(HubMethods.unsubscribe, database, channel);
  }

  /** `Publish`: resolves once PostgreSQL has committed the NOTIFY. */
  publish(database: string, channel: string, payload: string): Promise<void> {
    return this.invoke<void>(HubMethods.publish, database, channel, payload);
  }

  private async invoke<T>(method: string, ...args: unknown[]): Promise<T> {
    try {
      return await this.connection.invoke<T>(method, ...args);
    } catch (error) {
      throw toHubError(error, method);
    }
  }
}
