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
import { ForeverRetryPolicy } from "./foreverRetryPolicy.js";
import type { NotificationHubClientOptions } from "./options.js";
import { ReceiveClock, ReceiveStampingProtocol } from "./receiveClock.js";

/**
 * @internal Builds the SignalR connection a {@link NotificationHubClient} runs on: to `options.url`, reconnecting
 * forever, in the chosen protocol, stamping `clock` for every message it receives.
 */
export function buildHubConnection(options: NotificationHubClientOptions, maxReconnectDelayMs: number, clock: ReceiveClock): HubConnection {
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
