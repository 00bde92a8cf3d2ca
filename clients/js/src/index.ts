export { NotificationHubClient, type ConnectionState, type NotificationHubClientEvents } from "./notificationHubClient.js";
export type { NotificationHubClientOptions, HubProtocolName } from "./options.js";
export { CLIENT_RECONNECTED, LISTENER_RECONNECTED, ResyncReasons, type HubNotification, type HubResync, type StreamSubscription } from "./messages.js";
export { EPOCH_PREFIX_LENGTH, compareStreamPositions, sameStreamEpoch } from "./streamPositions.js";
export { HubError } from "./hubError.js";
export { ForeverRetryPolicy, foreverRetryDelay } from "./foreverRetryPolicy.js";
export { LogLevel } from "@microsoft/signalr";
