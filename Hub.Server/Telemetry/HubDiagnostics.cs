using Hub.Server.Contracts;
namespace Hub.Server.Telemetry;

/// <summary>
/// The names the hub reports its telemetry under, in one place: the <see cref="System.Diagnostics.Metrics.Meter"/>
/// and <see cref="System.Diagnostics.ActivitySource"/> name, every instrument, activity and attribute.
/// Dashboards, alerts and collectors key on these, so they are part of the operator-facing contract.
/// </summary>
public static class HubDiagnostics
{
    /// <summary>The name of the hub's meter and of its activity source.</summary>
    public const string Name = "NotifyHub";

    /// <summary>The <c>service.name</c> resource attribute unless <c>OTEL_SERVICE_NAME</c> says otherwise.</summary>
    public const string ServiceName = "notify-hub";

    /// <summary>The hub's instruments, named after the OpenTelemetry semantic conventions.</summary>
    public static class Instruments
    {
        /// <summary>Hub connections open on this instance.</summary>
        public const string Connections = "hub.connections";

        /// <summary>Connections subscribed to at least one channel of a database.</summary>
        public const string Subscribers = "hub.subscribers";

        /// <summary>(connection, channel) subscriptions of a database.</summary>
        public const string Subscriptions = "hub.subscriptions";

        /// <summary>Database listeners by state.</summary>
        public const string Listeners = "hub.listeners";

        /// <summary>Notifications the listeners received from PostgreSQL.</summary>
        public const string NotificationsReceived = "hub.notifications.received";

        /// <summary>Notifications and resyncs received and not yet sent to clients.</summary>
        public const string DeliveriesPending = "hub.deliveries.pending";

        /// <summary>Group sends to clients: one per notification or resync, whatever the number of recipients.</summary>
        public const string MessagesSent = "hub.messages.sent";

        /// <summary>Notifications dropped from a database's delivery queue over its bound; a resync covers them.</summary>
        public const string DeliveriesDropped = "hub.deliveries.dropped";

        /// <summary>From the moment the listener had a notification to the group send completing.</summary>
        public const string FanoutDuration = "hub.fanout.duration";

        /// <summary>The size of NOTIFY payloads.</summary>
        public const string PayloadSize = "hub.notification.payload.size";

        /// <summary>Listener connections re-established after a loss.</summary>
        public const string ListenerReconnects = "hub.listener.reconnects";

        /// <summary>Listener state changes, by the state left and the state entered.</summary>
        public const string ListenerTransitions = "hub.listener.transitions";

        /// <summary>Resyncs sent to the subscribers of a database.</summary>
        public const string ResyncsSent = "hub.resyncs.sent";

        /// <summary>Subscribe and Unsubscribe calls refused.</summary>
        public const string CallsRejected = "hub.calls.rejected";

        /// <summary>Connections whose transport is full, for which the hub holds messages.</summary>
        public const string ConnectionsBuffering = "hub.connections.buffering";

        /// <summary>Connections disconnected as slow consumers (over Hub:Delivery:MaxBufferedBytesPerConnection).</summary>
        public const string SlowConsumersDisconnected = "hub.slow_consumers.disconnected";

        /// <summary>Age of the oldest transaction holding back an outbox database's delivery (its server's xmin horizon).</summary>
        public const string OutboxOldestTransactionAge = "hub.outbox.oldest_transaction.age";

        /// <summary>Outbox rows read and sent to clients.</summary>
        public const string OutboxRowsSent = "hub.outbox.rows.sent";

        /// <summary>Negotiations refused because too many have not connected yet.</summary>
        public const string NegotiationsRejected = "hub.negotiations.rejected";

        /// <summary>Negotiations that have not connected yet.</summary>
        public const string NegotiationsPending = "hub.negotiations.pending";

        /// <summary>PostgreSQL connections the hub holds or may open now, out of Hub:Limits:MaxDatabaseConnections.</summary>
        public const string DatabaseConnections = "hub.database.connections";

        /// <summary>PostgreSQL connections refused because the hub holds as many as it may open.</summary>
        public const string DatabaseConnectionsRefused = "hub.database.connections.refused";
    }

    /// <summary>The names of the hub's activities.</summary>
    public static class Activities
    {
        /// <summary>One <c>Subscribe</c> call, until its LISTEN is active or it is refused.</summary>
        public const string Subscribe = "Subscribe";

        /// <summary>One <c>Unsubscribe</c> call.</summary>
        public const string Unsubscribe = "Unsubscribe";

        /// <summary>One <c>SubscribeFrom</c> call, until its replay is written or it is refused.</summary>
        public const string SubscribeFrom = "SubscribeFrom";

        /// <summary>One attempt to open a listener connection.</summary>
        public const string ListenerConnect = "ListenerConnect";

        /// <summary>A listener outage: from the lost connection until it LISTENs again (parent of the attempts).</summary>
        public const string ListenerReconnect = "ListenerReconnect";

        /// <summary>One notification from the listener to the completed group send; only when sampled.</summary>
        public const string Notification = "Notification";
    }

    /// <summary>The attributes (tags) on the hub's measurements and activities.</summary>
    public static class Attributes
    {
        /// <summary>The database name clients use; on metrics only when <see cref="TelemetryOptions.DatabaseNameAttribute"/> allows it.</summary>
        public const string Database = "hub.database";

        /// <summary>The NOTIFY channel; on activities only (channels per database multiply cardinality).</summary>
        public const string Channel = "hub.channel";

        /// <summary>A listener state: idle, connecting, listening, reconnecting, offline.</summary>
        public const string ListenerState = "hub.listener.state";

        /// <summary>The listener state a transition left.</summary>
        public const string PreviousListenerState = "hub.listener.previous_state";

        /// <summary>notification or resync.</summary>
        public const string MessageType = "hub.message.type";

        /// <summary>Why a resync was sent (see <see cref="Contracts.ResyncReasons"/>).</summary>
        public const string ResyncReason = "hub.resync.reason";

        /// <summary>Why a call was refused (see <see cref="Contracts.Refusals.Reasons"/>).</summary>
        public const string RejectionReason = "hub.rejection.reason";

        /// <summary>How a call ended: ok or the rejection reason.</summary>
        public const string Result = "hub.result";

        /// <summary>The start of the window a resync covers (ISO 8601).</summary>
        public const string ResyncSince = "hub.resync.since";

        /// <summary>The end of the window a resync covers (ISO 8601).</summary>
        public const string ResyncUntil = "hub.resync.until";

        /// <summary>The channels a connection holds after Subscribe.</summary>
        public const string ChannelCount = "hub.channel.count";

        /// <summary>Which connection attempt of an outage this was, 1 for the first.</summary>
        public const string Attempt = "hub.listener.attempt";

        /// <summary>The PostgreSQL backend process id of the listener connection.</summary>
        public const string ProcessId = "db.postgresql.pid";

        /// <summary>The semantic-convention attribute of a failure: the exception type.</summary>
        public const string ErrorType = "error.type";

        /// <summary>Which limit refused a negotiation (see <see cref="NegotiationLimits"/>).</summary>
        public const string NegotiationLimit = "hub.negotiation.limit";
    }

    /// <summary>Values of <see cref="Attributes.NegotiationLimit"/>.</summary>
    public static class NegotiationLimits
    {
        /// <summary>Too many of one user (Hub:Limits:PendingNegotiationsPerUser).</summary>
        public const string User = "user";

        /// <summary>Too many of one remote address (Hub:Limits:PendingNegotiationsPerAddress).</summary>
        public const string Address = "address";

        /// <summary>Too many in all (Hub:Limits:MaxPendingNegotiations).</summary>
        public const string Hub = "hub";
    }

    /// <summary>Values of <see cref="Attributes.MessageType"/>.</summary>
    public static class MessageTypes
    {
        /// <summary>A <c>notification</c> message.</summary>
        public const string Notification = "notification";

        /// <summary>A <c>resync</c> message.</summary>
        public const string Resync = "resync";
    }

    /// <summary>Values of <see cref="Attributes.Result"/> other than a rejection reason.</summary>
    public static class Results
    {
        /// <summary>The call did what it was asked.</summary>
        public const string Ok = "ok";

        /// <summary>The call failed for a reason other than a refusal (for example the connection closed).</summary>
        public const string Failed = "failed";
    }
}
