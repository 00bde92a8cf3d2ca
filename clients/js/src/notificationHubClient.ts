import type { HubConnection } from "@microsoft/signalr";
import { ClientSubscriptions } from "./clientSubscriptions.js";
import { DEFAULT_MAX_RECONNECT_DELAY_MS, startForever } from "./foreverRetryPolicy.js";
import { HubCalls } from "./hubCalls.js";
import { buildHubConnection } from "./hubConnectionFactory.js";
import { KeepAlivePinger } from "./keepAlivePinger.js";
import {
  ClientMethods,
  toNotification,
  toResync,
  type HubNotification,
  type HubResync,
  type StreamSubscription,
  type WireNotification,
  type WireResync,
} from "./messages.js";
import type { NotificationHubClientOptions } from "./options.js";
import { DeliveryMarks } from "./deliveryMarks.js";
import { Resubscriber } from "./resubscriber.js";
import { StreamCursors } from "./streamCursors.js";
import { TypedEvents } from "./typedEvents.js";

/** Where the client is: `reconnecting` covers both SignalR's own reconnect and a restart after the connection closed. */
export type ConnectionState = "disconnected" | "connecting" | "connected" | "reconnecting";

/** The events of a {@link NotificationHubClient}. */
export interface NotificationHubClientEvents {
  /**
   * A notification, in the order the hub sent them. One of an outbox database at or before the last position
   * delivered on its channel (a repeat where a resume meets the live stream) is dropped.
   */
  notification: (notification: HubNotification) => void;
  /** Notifications of a database may have been missed; reload its state. */
  resync: (resync: HubResync) => void;
  /** The connection was lost; the client is reconnecting. */
  disconnected: (error: Error | undefined) => void;
  /** The client is connected again and has resubscribed. */
  reconnected: () => void;
  /** Resubscribing to a database after a reconnect failed; the client tries again on the next reconnect. */
  resubscribeFailed: (database: string, error: unknown) => void;
  /** The connection state changed. */
  stateChanged: (state: ConnectionState) => void;
}

/**
 * A connection to the notification hub that stays subscribed: it reconnects by itself, forever, subscribes again
 * to everything it had (SignalR groups do not survive a reconnect), and raises `resync` with reason
 * `client-reconnected` for the time it was away, because notifications sent meanwhile are gone. Subscriptions to an
 * outbox database made with {@link NotificationHubClient.subscribeFrom} lose nothing instead: after a reconnect they
 * resume from the last position delivered, and a resync comes only when the hub can no longer resume from it.
 *
 * Its parts, each with one job, as in the .NET client: `buildHubConnection` builds the connection, `HubCalls` calls
 * the hub's methods, `ClientSubscriptions` remembers what the client is subscribed to, `Resubscriber` subscribes a new
 * connection to it, `StreamCursors` keeps the positions of outbox databases, and `TypedEvents` raises the events.
 *
 * @example
 * const client = new NotificationHubClient({ url: "http://127.0.0.1:5080/hubs/notifications" });
 * client.on("notification", n => console.log(n.channel, n.payload));
 * client.on("resync", r => reload(r.database));
 * await client.start();
 * await client.subscribe("app", "hub_events");
 */
export class NotificationHubClient {
  private readonly connection: HubConnection;
  private readonly calls: HubCalls;
  private readonly events = new TypedEvents<NotificationHubClientEvents>();
  private readonly subscribed = new ClientSubscriptions();
  private readonly resubscriber: Resubscriber;
  private readonly maxReconnectDelayMs: number;
  private currentState: ConnectionState = "disconnected";
  private readonly cursors = new StreamCursors();
  private readonly marks = new DeliveryMarks();
  private readonly pinger: KeepAlivePinger;
  private lifetime: AbortController | undefined;
  private restarting: Promise<void> = Promise.resolve();

  /** Creates a client; nothing connects before {@link start}. */
  constructor(options: NotificationHubClientOptions) {
    if (!options?.url) {
      throw new TypeError("NotificationHubClientOptions.url is required.");
    }

    this.maxReconnectDelayMs = options.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS;
    this.connection = buildHubConnection(options, this.maxReconnectDelayMs);
    this.calls = new HubCalls(this.connection, this.cursors);
    this.resubscriber = new Resubscriber(this.subscribed, this.calls, this.cursors, this.marks);
    this.pinger = new KeepAlivePinger(this.connection);
    this.connection.on(ClientMethods.notification, (wire: WireNotification) => this.onNotification(toNotification(wire)));
    this.connection.on(ClientMethods.resync, (wire: WireResync) => this.events.emit("resync", toResync(wire)));
    this.connection.onreconnecting((error) => this.onLost(error));
    this.connection.onreconnected(() => this.onReconnected());
    this.connection.onclose((error) => this.onClosed(error));
  }

  /** The connection state. */
  get state(): ConnectionState {
    return this.currentState;
  }

  /** The SignalR connection id, while connected. */
  get connectionId(): string | null {
    return this.connection.connectionId;
  }

  /** The databases and channels this client is subscribed to (and resubscribes to after a reconnect). */
  get subscriptions(): ReadonlyMap<string, readonly string[]> {
    return this.subscribed.current;
  }

  /** Adds an event handler; returns a function that removes it. */
  on<K extends keyof NotificationHubClientEvents>(event: K, handler: NotificationHubClientEvents[K]): () => void {
    return this.events.on(event, handler);
  }

  /** Removes an event handler. */
  off<K extends keyof NotificationHubClientEvents>(event: K, handler: NotificationHubClientEvents[K]): void {
    this.events.off(event, handler);
  }

  /**
   * Connects, retrying with backoff until the hub answers or `signal` aborts. After a {@link stop}, starting
   * again resubscribes to everything the client had and raises `resync` for the time it was stopped.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.lifetime && !this.lifetime.signal.aborted) {
      throw new Error("The client is already started.");
    }

    this.lifetime = new AbortController();
    const abort = signal ? AbortSignal.any([signal, this.lifetime.signal]) : this.lifetime.signal;
    this.setState("connecting");
    try {
      await this.connectWithRetry(abort);
    } catch (error) {
      this.lifetime.abort();
      this.setState("disconnected");
      throw error;
    }

    await this.resubscribe();
    this.setState("connected");
  }

  /** Disconnects; nothing reconnects until {@link start} is called again. Subscriptions are remembered. */
  async stop(): Promise<void> {
    const lifetime = this.lifetime;
    if (!lifetime || lifetime.signal.aborted) {
      return;
    }

    lifetime.abort();
    await this.restarting.catch(() => undefined);
    this.pinger.stop();
    await this.connection.stop();
    this.setState("disconnected");
  }

  /**
   * Subscribes to `channel` of `database`, or to all its channels when `channel` is null or omitted. When the
   * promise resolves, every NOTIFY committed from then on is delivered, so load your state after it.
   *
   * @returns The channels of the database this client is subscribed to now.
   * @throws {HubError} The hub refused, with its reason as the message.
   */
  subscribe(database: string, channel: string | null = null): Promise<string[]> {
    return this.subscribed.exclusive(async () => {
      const channels = await this.calls.subscribe(database, channel);
      this.marks.subscribed(database, new Date());
      this.subscribed.set(database, channels);
      return channels;
    });
  }

  /**
   * Subscribes to `channel` of the outbox database `database` (all its channels when null) and receives, before the
   * live notifications, everything after `since`: a position this client or a stored notification gave (for example
   * from `localStorage`), or null to start live. From then on the subscription resumes by itself after every
   * reconnect, from the last position delivered, and raises no `client-reconnected` resync.
   *
   * @returns The channels subscribed now, the position the subscription stands at, and whether the hub could resume
   * from `since`; when it could not, a `history-unavailable` resync was raised.
   * @throws {HubError} The hub refused (a database without a durable stream, a malformed position).
   */
  subscribeFrom(database: string, channel: string | null = null, since: string | null = null): Promise<StreamSubscription> {
    return this.subscribed.exclusive(async () => {
      const subscription = await this.calls.subscribeFrom(database, channel, since);
      this.marks.subscribed(database, new Date());
      this.subscribed.set(database, subscription.channels);
      return subscription;
    });
  }

  /**
   * The position of the last notification delivered on `channel` of an outbox database, or on any of its channels
   * when null; store it and pass it to {@link subscribeFrom} on the next start. Null before anything of that database
   * was delivered or subscribed with {@link subscribeFrom}.
   */
  positionOf(database: string, channel: string | null = null): string | null {
    return this.cursors.positionOf(database, channel);
  }

  /** Unsubscribes from `channel` of `database`, or from all its channels when `channel` is null or omitted. */
  unsubscribe(database: string, channel: string | null = null): Promise<void> {
    return this.subscribed.exclusive(async () => {
      await this.calls.unsubscribe(database, channel);
      this.cursors.forget(database, channel);
      this.subscribed.remove(database, channel);
      if (!this.subscribed.current.has(database)) {
        this.marks.forget(database);
      }
    });
  }

  /**
   * Sends a NOTIFY on `channel` of `database` through the hub (`pg_notify`, never SQL built from text). It needs
   * the publish right for the database; subscribers receive it through the hub's listener like any other NOTIFY.
   *
   * @throws {HubError} The hub refused (no publish right, channel not allowed, payload of 8,000 bytes or more).
   */
  publish(database: string, channel: string, payload: string): Promise<void> {
    return this.calls.publish(database, channel, payload);
  }

  private onNotification(notification: HubNotification): void {
    if (this.cursors.tryAdvance(notification.database, notification.channel, notification.position)) {
      this.marks.delivered(notification);
      this.events.emit("notification", notification);
    }
  }

  private async connectWithRetry(signal: AbortSignal): Promise<void> {
    await startForever(this.connection, this.maxReconnectDelayMs, signal);
    this.pinger.start();
  }

  private onLost(error: Error | undefined): void {
    this.setState("reconnecting");
    this.events.emit("disconnected", error);
  }

  private async onReconnected(): Promise<void> {
    await this.resubscribe();
    this.setState("connected");
    this.events.emit("reconnected");
  }

  private onClosed(error: Error | undefined): void {
    const lifetime = this.lifetime;
    if (!lifetime || lifetime.signal.aborted) {
      return;
    }

    // Closed without automatic reconnect (the server said not to, or a reconnect attempt was refused outright):
    // start over, since this client promises to stay connected until stopped.
    this.onLost(error);
    this.restarting = (async () => {
      try {
        await this.connectWithRetry(lifetime.signal);
      } catch {
        return; // Stopped meanwhile.
      }

      await this.onReconnected();
    })();
  }

  /**
   * Subscribes the new connection to everything this client had; each database's `client-reconnected` resync runs from
   * the hub's `receivedAt` of the last notification of it that arrived (or its subscription, if none did), and is
   * raised once the subscriptions' gate is released.
   */
  private async resubscribe(): Promise<void> {
    const resyncs = await this.resubscriber.resubscribe((database, error) =>
      this.events.emit("resubscribeFailed", database, error),
    );
    for (const resync of resyncs) {
      this.events.emit("resync", resync);
    }
  }

  private setState(state: ConnectionState): void {
    if (this.currentState !== state) {
      this.currentState = state;
      this.events.emit("stateChanged", state);
    }
  }
}
