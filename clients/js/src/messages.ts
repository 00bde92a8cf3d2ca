/**
 * One PostgreSQL NOTIFY, as the hub delivered it.
 */
export interface HubNotification {
  /** The database name it was subscribed with. */
  readonly database: string;
  /** The NOTIFY channel. */
  readonly channel: string;
  /** The NOTIFY payload, unchanged (often JSON text, but the hub does not require it). */
  readonly payload: string;
  /** The process id of the PostgreSQL backend that sent it. */
  readonly processId: number;
  /** When the hub received it. */
  readonly receivedAt: Date;
  /** Its place in the durable stream of an outbox database (null for plain NOTIFY): an opaque, ordered string. */
  readonly position: string | null;
}

/**
 * Notifications of `database` between `since` and `until` may have been missed: reload the state you derive from them.
 */
export interface HubResync {
  /** The database name it was subscribed with. */
  readonly database: string;
  /**
   * Why: `listener-reconnected` (the hub lost its database connection), `client-reconnected` (this client lost
   * its hub connection) or `history-unavailable` (an outbox could not resume from a position), among others.
   */
  readonly reason: string;
  /** The last moment delivery is known to have worked (for `client-reconnected`: the last message this client got). */
  readonly since: Date;
  /** The moment it worked again. */
  readonly until: Date;
}

/** What `subscribeFrom` resolves with: the hub's answer to `SubscribeFrom`. */
export interface StreamSubscription {
  /** The channels of the database this client is subscribed to now. */
  readonly channels: readonly string[];
  /**
   * Where the subscription stands: the last notification replayed, or the head of the stream when nothing was; store
   * it (or the `position` of each notification handled later) to resume from it.
   */
  readonly position: string;
  /**
   * False when the hub could not resume from the position given (older than retention, another incarnation of the
   * outbox): a `history-unavailable` resync was raised and the subscription continues live from `position`.
   */
  readonly recovered: boolean;
}

/** The `reason` values of a resync (clients/contract.json, `resyncReasons`); the .NET client exports the same. */
export const ResyncReasons = {
  /** The hub lost its connection to the database and has re-established it. */
  listenerReconnected: "listener-reconnected",
  /** Another hub instance took over listening to the database (scaled out). */
  listenerFailover: "listener-failover",
  /** The hub's Redis backplane was unreachable for a while. */
  backplaneReconnected: "backplane-reconnected",
  /** The hub fell too far behind on the database and dropped notifications rather than deliver them late. */
  deliveryOverloaded: "delivery-overloaded",
  /** This client lost its hub connection, reconnected and resubscribed (raised by the client itself). */
  clientReconnected: "client-reconnected",
  /** The hub could not resume an outbox database from the given position (older than retention, or another incarnation). */
  historyUnavailable: "history-unavailable",
} as const;

/** The `reason` of a resync raised by this client after it reconnected to the hub. */
export const CLIENT_RECONNECTED = ResyncReasons.clientReconnected;

/** The `reason` of a resync sent by the hub after its database connection was re-established. */
export const LISTENER_RECONNECTED = ResyncReasons.listenerReconnected;

/** The methods the hub invokes on a client (clients/contract.json, `clientMethods`). */
export const ClientMethods = {
  notification: "notification",
  resync: "resync",
} as const;

/** The hub methods a client invokes (clients/contract.json, `hubMethods`). */
export const HubMethods = {
  subscribe: "Subscribe",
  unsubscribe: "Unsubscribe",
  publish: "Publish",
  subscribeFrom: "SubscribeFrom",
} as const;

// The JSON protocol carries times as ISO-8601 text, MessagePack as timestamps the protocol decodes to Date:
// normalizing here gives callers one type whichever protocol they chose.
type WireTime = string | Date;

/** @internal The `notification` argument as it comes off the wire. */
export interface WireNotification {
  database: string;
  channel: string;
  payload: string;
  processId: number;
  receivedAt: WireTime;
  position?: string | null;
}

/** @internal The `resync` argument as it comes off the wire. */
export interface WireResync {
  database: string;
  reason: string;
  since: WireTime;
  until: WireTime;
}

function toDate(value: WireTime): Date {
  return value instanceof Date ? value : new Date(value);
}

/** @internal */
export function toNotification(wire: WireNotification): HubNotification {
  return {
    database: wire.database,
    channel: wire.channel,
    payload: wire.payload,
    processId: wire.processId,
    receivedAt: toDate(wire.receivedAt),
    position: wire.position ?? null,
  };
}

/** @internal */
export function toResync(wire: WireResync): HubResync {
  return {
    database: wire.database,
    reason: wire.reason,
    since: toDate(wire.since),
    until: toDate(wire.until),
  };
}
