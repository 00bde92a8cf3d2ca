namespace Hub.Server.Telemetry;

/// <summary>
/// The event ids of every log message the hub writes, in one catalog with a range per area, so that an id names one
/// message for good and an operator can filter an area by its range. Each area's <c>XLog</c> class uses only its own
/// range; a new message takes the next free id of its area and an id is never reused.
/// </summary>
/// <remarks>
/// Ranges: 1000 databases and tenants, 2000 listening, 3000 delivery, 4000 subscriptions, 5000 publishing,
/// 6000 security and limits, 7000 scaling, 8000 HTTP and startup, 9000 durable streams.
/// </remarks>
public static class HubEventIds
{
    // 1000s: the registry of databases and tenant databases.

    /// <summary>A tenant database name was looked up.</summary>
    public const int TenantLookedUp = 1001;

    /// <summary>Whether a tenant database exists could not be checked.</summary>
    public const int TenantLookupFailed = 1002;

    /// <summary>A tenant lookup was refused: too many new names per second.</summary>
    public const int TenantLookupsThrottled = 1003;

    /// <summary>Tenant databases are configured.</summary>
    public const int TenantDatabasesEnabled = 1004;

    /// <summary>A tenant lookup was refused: the user asked for too many new names per second.</summary>
    public const int TenantLookupsThrottledForUser = 1005;

    /// <summary>A database was refused a PostgreSQL connection: the hub holds as many as it may open.</summary>
    public const int DatabaseConnectionsExhausted = 1006;

    /// <summary>A database was refused a PostgreSQL connection within a run of refusals (Debug).</summary>
    public const int DatabaseConnectionRefused = 1007;

    // 2000s: the listener of each database.

    /// <summary>A listener opens its connection.</summary>
    public const int ListenerConnecting = 2001;

    /// <summary>A listener connected.</summary>
    public const int ListenerConnected = 2002;

    /// <summary>A listener's LISTEN set changed.</summary>
    public const int ListenerChannelsChanged = 2003;

    /// <summary>A listener lost its connection.</summary>
    public const int ListenerConnectionLost = 2004;

    /// <summary>A listener could not connect and retries.</summary>
    public const int ListenerConnectFailed = 2005;

    /// <summary>A listener reconnected and sent a resync.</summary>
    public const int ListenerReconnected = 2006;

    /// <summary>A listener closed its connection after the grace period without subscribers.</summary>
    public const int ListenerClosedIdle = 2007;

    /// <summary>A notification arrived (Trace).</summary>
    public const int ListenerNotificationReceived = 2008;

    /// <summary>A listener stopped on an unexpected error.</summary>
    public const int ListenerFailed = 2009;

    /// <summary>A listener is stopping with the host.</summary>
    public const int ListenerStopping = 2010;

    /// <summary>A listener stopped with the host.</summary>
    public const int ListenerStopped = 2011;

    /// <summary>This instance became the cluster's listener of a database.</summary>
    public const int ListenerLeading = 2012;

    /// <summary>Another instance listens to a database; this one stands by.</summary>
    public const int ListenerStandby = 2013;

    /// <summary>This instance took over listening and sent a resync for the handover.</summary>
    public const int ListenerTookOver = 2014;

    /// <summary>A notification received before this instance led was not forwarded (Trace).</summary>
    public const int ListenerDroppedBeforeLead = 2015;

    /// <summary>A listener changed state (Debug).</summary>
    public const int ListenerStateChanged = 2016;

    /// <summary>A leader's lease ran out before its heartbeat renewed it: it gives the leadership up.</summary>
    public const int ListenerLeaseExpired = 2017;

    // 3000s: delivery to connections.

    /// <summary>A group send failed.</summary>
    public const int DeliverySendFailed = 3001;

    /// <summary>A connection's transport is full; the hub buffers for it.</summary>
    public const int ConnectionBuffering = 3002;

    /// <summary>A slow consumer was disconnected.</summary>
    public const int SlowConsumerDisconnected = 3003;

    /// <summary>A connection opened on the hub's WebSocket transport (Debug).</summary>
    public const int WebSocketConnected = 3004;

    /// <summary>A connection on the hub's WebSocket transport ended (Debug).</summary>
    public const int WebSocketDisconnected = 3005;

    /// <summary>A connection on the hub's WebSocket transport was closed when its authentication expired.</summary>
    public const int WebSocketAuthenticationExpired = 3006;

    /// <summary>A database's delivery queue went over its bound and dropped its oldest notifications.</summary>
    public const int DeliveryOverloaded = 3007;

    /// <summary>A database's delivery queue dropped what it held because this instance no longer leads the database.</summary>
    public const int DeliveryFenced = 3008;

    /// <summary>A stopping instance gave up waiting for a database's delivery queue.</summary>
    public const int DeliveryShutdownAbandoned = 3009;

    // 4000s: subscriptions.

    /// <summary>A connection subscribed.</summary>
    public const int Subscribed = 4001;

    /// <summary>A connection unsubscribed.</summary>
    public const int Unsubscribed = 4002;

    /// <summary>A subscription failed: the database was not ready in time.</summary>
    public const int DatabaseUnreachable = 4003;

    // 5000s: publishing.

    /// <summary>A connection published.</summary>
    public const int Published = 5001;

    /// <summary>A publish failed in the database.</summary>
    public const int PublishFailed = 5002;

    // 6000s: security and limits.

    /// <summary>Anonymous access is on.</summary>
    public const int AnonymousAccessEnabled = 6001;

    /// <summary>How callers authenticate.</summary>
    public const int TokenAuthentication = 6002;

    /// <summary>A configured database, its connection string redacted.</summary>
    public const int DatabaseConfigured = 6003;

    /// <summary>The browser origins allowed.</summary>
    public const int CorsOrigins = 6004;

    /// <summary>A hub call was refused (within the connection's log budget).</summary>
    public const int CallRefused = 6005;

    /// <summary>A hub method failed with an error that is not a refusal.</summary>
    public const int HubMethodFailed = 6006;

    /// <summary>A connection was refused: its user holds as many as it may.</summary>
    public const int TooManyConnections = 6101;

    /// <summary>A connection's refusals beyond its log budget, summed up in one line.</summary>
    public const int RefusalsNotLogged = 6103;

    /// <summary>A connection that kept calling faster than it may was closed.</summary>
    public const int ClosedForCallRate = 6104;

    /// <summary>A negotiation was refused: too many that have not connected yet (within the log budget).</summary>
    public const int NegotiationRefused = 6105;

    /// <summary>Negotiations refused beyond the log budget, summed up in one line.</summary>
    public const int NegotiationRefusalsNotLogged = 6106;

    /// <summary>A negotiation or connection was refused: its user or address is cooling down after a connection was closed for its call rate (within the log budget).</summary>
    public const int ConnectRefusedInCooldown = 6107;

    // 7000s: scale-out.

    /// <summary>The Redis backplane was lost.</summary>
    public const int BackplaneDisconnected = 7001;

    /// <summary>The Redis backplane is back; resyncs go out.</summary>
    public const int BackplaneRestored = 7002;

    /// <summary>A backplane resync could not be sent to a connection.</summary>
    public const int BackplaneResyncFailed = 7003;

    /// <summary>Connecting to the Redis backplane.</summary>
    public const int BackplaneConnecting = 7004;

    /// <summary>A standby terminated the session of a leader that stopped sending heartbeats.</summary>
    public const int LeaderFenced = 7005;

    /// <summary>The Redis link of the envelope channel was lost.</summary>
    public const int EnvelopeChannelLost = 7006;

    /// <summary>The Redis link of the envelope channel is back.</summary>
    public const int EnvelopeChannelRestored = 7007;

    /// <summary>This instance sent its subscribers of a database a resync for what it missed on the envelope channel.</summary>
    public const int EnvelopeChannelResync = 7008;

    /// <summary>A message from a leader older than one already heard was dropped (Debug).</summary>
    public const int EnvelopeChannelStaleDropped = 7009;

    /// <summary>A message on the envelope channel could not be read.</summary>
    public const int EnvelopeChannelMalformed = 7010;

    /// <summary>This instance started a term leading a database, with its epoch.</summary>
    public const int LeaderTermStarted = 7011;

    /// <summary>A leader that cannot publish on the envelope channel gives its leadership up.</summary>
    public const int LeaderTermAbandoned = 7012;

    /// <summary>A leader's heartbeat on the envelope channel failed (Debug).</summary>
    public const int EnvelopeChannelHeartbeatFailed = 7013;

    /// <summary>This instance skipped sequence numbers of a database on the envelope channel.</summary>
    public const int EnvelopeChannelGap = 7014;

    /// <summary>An envelope already delivered arrived again and was dropped (Debug).</summary>
    public const int EnvelopeChannelDuplicateDropped = 7015;

    // 8000s: HTTP endpoints and startup.

    /// <summary>A configuration key under Hub: that no option binds, ignored.</summary>
    public const int UnknownSetting = 8001;

    /// <summary>A configuration key under Hub: that no option binds, with the known key it most likely meant.</summary>
    public const int UnknownSettingWithSuggestion = 8002;

    // 9000s: durable streams (outbox databases).

    /// <summary>The outbox schema of a database was installed (or found installed).</summary>
    public const int OutboxSchemaInstalled = 9001;

    /// <summary>This instance started reading a database's outbox.</summary>
    public const int OutboxReaderStarted = 9002;

    /// <summary>This instance stopped reading a database's outbox.</summary>
    public const int OutboxReaderStopped = 9003;

    /// <summary>A batch of outbox rows was sent to clients.</summary>
    public const int OutboxBatchSent = 9004;

    /// <summary>A database's outbox has a new epoch (truncated or reinstalled).</summary>
    public const int OutboxEpochChanged = 9005;

    /// <summary>Reading a database's outbox failed and will be retried.</summary>
    public const int OutboxReadFailed = 9006;

    /// <summary>Retention deleted expired outbox rows.</summary>
    public const int OutboxPurged = 9007;

    /// <summary>A connection resumed a database's stream from a position.</summary>
    public const int StreamReplayed = 9008;

    /// <summary>A connection could not resume a database's stream from its position.</summary>
    public const int StreamHistoryUnavailable = 9009;

    /// <summary>A replay stopped waiting for the outbox reader to send past its last row.</summary>
    public const int StreamReaderWaitTimedOut = 9010;

    /// <summary>A database's outbox lost rows the hub had sent (commits lost in a crash): a new epoch starts.</summary>
    public const int OutboxWentBack = 9011;

    /// <summary>A gap in a database's live notifications: the resumed streams of this instance's connections are held and replayed.</summary>
    public const int StreamGapHeld = 9012;

    /// <summary>A connection's resumed streams of a database were replayed after a gap in live delivery.</summary>
    public const int StreamGapRecovered = 9013;

    /// <summary>Replaying a connection's streams after a gap in live delivery failed: it gets a resync instead.</summary>
    public const int StreamGapRecoveryFailed = 9014;

    /// <summary>A connection gets a resync for a gap in live delivery instead of (or besides) a replay.</summary>
    public const int StreamGapResync = 9015;

    /// <summary>Rows of a database's outbox batch were not sent (a send failed): the reader reads them again.</summary>
    public const int OutboxBatchNotSent = 9016;
}
