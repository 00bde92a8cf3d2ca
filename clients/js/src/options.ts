import type { HubConnectionBuilder, ILogger, LogLevel } from "@microsoft/signalr";

/** The SignalR hub protocol a client speaks. */
export type HubProtocolName = "json" | "messagepack";

/**
 * How a {@link NotificationHubClient} connects.
 */
export interface NotificationHubClientOptions {
  /** The hub URL, for example `https://hub.example.com/hubs/notifications`. */
  url: string;

  /**
   * Supplies the bearer token for each connect and reconnect, so an expired token is replaced by a fresh one.
   */
  accessTokenFactory?: () => string | Promise<string>;

  /** The hub protocol; `json` by default. `messagepack` frames are smaller and faster to parse. */
  protocol?: HubProtocolName;

  /** The longest wait between two reconnect attempts, in milliseconds (30 000 by default); the client never stops trying. */
  maxReconnectDelayMs?: number;

  /** Connect with WebSockets directly, skipping the negotiate request (no sticky sessions needed behind a load balancer). */
  skipNegotiation?: boolean;

  /** SignalR's logging: a level for its console logger, or a logger of your own. `Warning` by default. */
  logger?: LogLevel | ILogger;

  /** A last chance to adjust the underlying SignalR connection (transports, headers, timeouts) before it is built. */
  configureConnection?: (builder: HubConnectionBuilder) => void;
}
