import {
  HttpTransportType,
  HubConnection,
  HubConnectionBuilder,
  LogLevel,
  type IHttpConnectionOptions,
} from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { ForeverRetryPolicy } from "./foreverRetryPolicy.js";
import type { NotificationHubClientOptions } from "./options.js";

/**
 * @internal Builds the SignalR connection a {@link NotificationHubClient} runs on: to `options.url`, reconnecting
 * forever, in the chosen protocol.
 */
export function buildHubConnection(options: NotificationHubClientOptions, maxReconnectDelayMs: number): HubConnection {
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
  return builder.build();
}
