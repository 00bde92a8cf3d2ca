import {
  HttpTransportType,
  HubConnection,
  HubConnectionBuilder,
  JsonHubProtocol,
  LogLevel,
  type IHttpConnectionOptions,
  type IHubProtocol,
} from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { DEFAULT_MAX_RECONNECT_DELAY_MS, ForeverRetryPolicy, foreverRetryDelay } from "./foreverRetryPolicy.js";
import { toHubError } from "./hubError.js";
import { KeepAlivePinger } from "./keepAlivePinger.js";
import {
  CLIENT_RECONNECTED,
  ClientMethods,
  HubMethods,
  toNotification,
  toResync,
  type HubNotification,
  type HubResync,
  type StreamSubscription,
  type WireNotification,
  type WireResync,
} from "./messages.js";
import type { NotificationHubClientOptions } from "./options.js";
import { ReceiveClock, ReceiveStampingProtocol } from "./receiveClock.js";
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
 * @example
 * const client = new NotificationHubClient({ url: "http://127.0.0.1:5080/hubs/notifications" });
 * client.on("notification", n => console.log(n.channel, n.payload));
 * client.on("resync", r => reload(r.database));
 * await client.start();
 * await client.subscribe("app", "hub_events");
 */
export class NotificationHubClient {
  private readonly connection: HubConnection;
  private readonly events = new TypedEvents<NotificationHubClientEvents>();
  private readonly subscribed = new Map<string, Set<string>>();
  private readonly maxReconnectDelayMs: number;
  // Subscribe, unsubscribe and resubscribe run one at a time, so the remembered set matches the server's.
  private gate: Promise<unknown> = Promise.resolve();
  private currentState: ConnectionState = "disconnected";
  private readonly cursors = new StreamCursors();
  private readonly clock = new ReceiveClock();
  private readonly pinger: KeepAlivePinger;
  private lastHeardBeforeLoss = new Date();
  private lifetime: AbortController | undefined;
  private restarting: Promise<void> = Promise.resolve();

  /** Creates a client; nothing connects before {@link start}. */
  constructor(options: NotificationHubClientOptions) {
    if (!options?.url) {
      throw new TypeError("NotificationHubClientOptions.url is required.");
    }

    this.maxReconnectDelayMs = options.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS;
    this.connection = buildConnection(options, this.maxReconnectDelayMs, this.clock);
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
    return new Map([...this.subscribed].map(([database, channels]) => [database, [...channels].sort()]));
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
    this.lastHeardBeforeLoss = this.clock.lastHeard;
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
    return this.serialized(async () => {
      const channels = await this.invoke<string[]>(HubMethods.subscribe, database, channel);
      this.subscribed.set(database, new Set(channels));
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
    return this.serialized(async () => {
      const subscription = await this.invokeSubscribeFrom(database, channel, since);
      this.subscribed.set(database, new Set(subscription.channels));
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
    return this.serialized(async () => {
      await this.invoke<void>(HubMethods.unsubscribe, database, channel);
      this.cursors.forget(database, channel);
      const channels = this.subscribed.get(database);
      if (channel === null) {
        this.subscribed.delete(database);
      } else if (channels && channels.delete(channel) && channels.size === 0) {
        this.subscribed.delete(database);
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
    return this.invoke<void>(HubMethods.publish, database, channel, payload);
  }

  private async invoke<T>(method: string, ...args: unknown[]): Promise<T> {
    try {
      return await this.connection.invoke<T>(method, ...args);
    } catch (error) {
      throw toHubError(error, method);
    }
  }

  private async invokeSubscribeFrom(database: string, channel: string | null, since: string | null): Promise<StreamSubscription> {
    const subscription = await this.invoke<StreamSubscription>(HubMethods.subscribeFrom, database, channel, since);
    // The answer lists every channel of the database this connection has; only the asked ones were replayed. They
    // start from 'since' and the replayed notifications advance them, as in the .NET client, whose handlers run on
    // their own loop and may not have seen the replay yet when the answer arrives.
    // Started live, a channel that was live already keeps its own position.
    const from = since !== null && subscription.recovered ? since : subscription.position;
    this.cursors.resumed(database, channel === null ? subscription.channels : [channel], from, since === null);
    return subscription;
  }

  private onNotification(notification: HubNotification): void {
    if (this.cursors.tryAdvance(notification.database, notification.channel, notification.position)) {
      this.events.emit("notification", notification);
    }
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.gate.then(work, work);
    this.gate = result.catch(() => undefined);
    return result;
  }

  private async connectWithRetry(signal: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.connection.start();
        this.clock.stamp();
        this.pinger.start();
        return;
      } catch (error) {
        if (signal.aborted) {
          throw signal.reason ?? error;
        }

        await delay(foreverRetryDelay(attempt, this.maxReconnectDelayMs), signal);
      }
    }
  }

  private onLost(error: Error | undefined): void {
    this.lastHeardBeforeLoss = this.clock.lastHeard;
    this.setState("reconnecting");
    this.events.emit("disconnected", error);
  }

  private async onReconnected(): Promise<void> {
    this.clock.stamp();
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
   * Subscribes the new connection to everything this client had: durable channels resume from their positions (a
   * recovered resume missed nothing; an unrecovered one gets the hub's `history-unavailable` resync), the others
   * raise one `client-reconnected` resync per database, from the last moment the old connection heard from the hub
   * (a ping at the latest) to now.
   */
  private resubscribe(): Promise<void> {
    return this.serialized(async () => {
      const since = this.lastHeardBeforeLoss;
      for (const [database, channels] of [...this.subscribed]) {
        let missedAny = false;
        try {
          for (const channel of [...channels]) {
            const position = this.cursors.resumePosition(database, channel);
            if (position !== undefined) {
              await this.invokeSubscribeFrom(database, channel, position);
            } else {
              await this.invoke<string[]>(HubMethods.subscribe, database, channel);
              missedAny = true;
            }
          }
        } catch (error) {
          this.events.emit("resubscribeFailed", database, error);
          continue;
        }

        if (missedAny) {
          this.events.emit("resync", { database, reason: CLIENT_RECONNECTED, since, until: new Date() });
        }
      }
    });
  }

  private setState(state: ConnectionState): void {
    if (this.currentState !== state) {
      this.currentState = state;
      this.events.emit("stateChanged", state);
    }
  }
}

function buildConnection(options: NotificationHubClientOptions, maxReconnectDelayMs: number, clock: ReceiveClock): HubConnection {
  const http: IHttpConnectionOptions = {};
  if (options.accessTokenFactory) {
    http.accessTokenFactory = options.accessTokenFactory;
  }

  if (options.skipNegotiation) {
    http.skipNegotiation = true;
    http.transport = HttpTransportType.WebSockets;
  }

  const builder = new HubConnectionBuilder()
    .withUrl(options.url, http)
    .withAutomaticReconnect(new ForeverRetryPolicy(maxReconnectDelayMs))
    .configureLogging(options.logger ?? LogLevel.Warning);
  if (options.protocol === "messagepack") {
    builder.withHubProtocol(new MessagePackHubProtocol());
  }

  options.configureConnection?.(builder);
  // After the application's adjustments, so the protocol it may have chosen there is the one stamped. The builder
  // keeps it in a field its typings mark internal; without one it uses JSON.
  const chosen = (builder as unknown as { protocol?: IHubProtocol }).protocol ?? new JsonHubProtocol();
  builder.withHubProtocol(new ReceiveStampingProtocol(chosen, clock));
  return builder.build();
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
