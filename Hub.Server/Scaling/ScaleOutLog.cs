using Hub.Server.Telemetry;
using Microsoft.Extensions.Logging;

namespace Hub.Server.Scaling;

internal static partial class ScaleOutLog
{
    [LoggerMessage(EventId = HubEventIds.BackplaneDisconnected, EventName = "BackplaneDisconnected", Level = LogLevel.Error,
        Message = "Lost the Redis backplane ({Endpoint}, {FailureType}); notifications to other instances are lost until it is back.")]
    public static partial void BackplaneDisconnected(ILogger logger, string endpoint, string failureType, Exception? exception);

    [LoggerMessage(EventId = HubEventIds.BackplaneRestored, EventName = "BackplaneRestored", Level = LogLevel.Warning,
        Message = "The Redis backplane is back ({Endpoint}); sending resync to {Connections} local connection(s) for {Since:O} to {Until:O}.")]
    public static partial void BackplaneRestored(ILogger logger, string endpoint, int connections, DateTime since, DateTime until);

    [LoggerMessage(EventId = HubEventIds.BackplaneResyncFailed, EventName = "BackplaneResyncFailed", Level = LogLevel.Warning,
        Message = "Could not send the backplane resync to connection {ConnectionId}.")]
    public static partial void ResyncFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(EventId = HubEventIds.BackplaneConnecting, EventName = "BackplaneConnecting", Level = LogLevel.Information,
        Message = "Connecting to the Redis backplane with channel prefix '{ChannelPrefix}'.")]
    public static partial void Connecting(ILogger logger, string channelPrefix);

    [LoggerMessage(EventId = HubEventIds.LeaderFenced, EventName = "LeaderFenced", Level = LogLevel.Warning,
        Message = "The leader of database '{Database}' (backend {ProcessId}) sent no heartbeat for {Silent}: terminating its session to take over.")]
    public static partial void LeaderFenced(ILogger logger, string database, int processId, TimeSpan silent);

    [LoggerMessage(EventId = HubEventIds.EnvelopeChannelLost, EventName = "EnvelopeChannelLost", Level = LogLevel.Error,
        Message = "Lost the Redis link of the envelope channel ({Endpoint}, {FailureType}); this instance's subscribers get a resync when it is back.")]
    public static partial void ChannelLost(ILogger logger, string endpoint, string failureType, Exception? exception);

    [LoggerMessage(EventId = HubEventIds.EnvelopeChannelRestored, EventName = "EnvelopeChannelRestored", Level = LogLevel.Warning,
        Message = "The Redis link of the envelope channel is back ({Endpoint}).")]
    public static partial void ChannelRestored(ILogger logger, string endpoint);

    [LoggerMessage(EventId = HubEventIds.EnvelopeChannelResync, EventName = "EnvelopeChannelResync", Level = LogLevel.Warning,
        Message = "Envelope channel of database '{Database}': {Cause}; resync from {Since:O} to {Until:O} sent to {Connections} local connection(s).")]
    public static partial void ChannelResync(ILogger logger, string database, string cause, int connections, DateTime since, DateTime until);

    [LoggerMessage(EventId = HubEventIds.EnvelopeChannelStaleDropped, EventName = "EnvelopeChannelStaleDropped", Level = LogLevel.Debug,
        Message = "Envelope channel of database '{Database}': message {Sequence} of epoch {Epoch} from {Leader} dropped, epoch {Newest} is newer.")]
    public static partial void StaleMessageDropped(ILogger logger, string database, long sequence, long epoch, long newest, string leader);

    [LoggerMessage(EventId = HubEventIds.EnvelopeChannelMalformed, EventName = "EnvelopeChannelMalformed", Level = LogLevel.Warning,
        Message = "A message on the envelope channel could not be read: {Error}.")]
    public static partial void ChannelMessageMalformed(ILogger logger, string error);

    [LoggerMessage(EventId = HubEventIds.LeaderTermStarted, EventName = "LeaderTermStarted", Level = LogLevel.Information,
        Message = "Leading database '{Database}' with epoch {Epoch} on the envelope channel.")]
    public static partial void TermStarted(ILogger logger, string database, long epoch);

    [LoggerMessage(EventId = HubEventIds.LeaderTermAbandoned, EventName = "LeaderTermAbandoned", Level = LogLevel.Error,
        Message = "Giving up the leadership of database '{Database}' (epoch {Epoch}): {Reason}")]
    public static partial void TermAbandoned(ILogger logger, string database, long epoch, string reason);

    [LoggerMessage(EventId = HubEventIds.EnvelopeChannelHeartbeatFailed, EventName = "EnvelopeChannelHeartbeatFailed", Level = LogLevel.Debug,
        Message = "The envelope channel heartbeat of database '{Database}' failed: {Error}")]
    public static partial void HeartbeatFailed(ILogger logger, string database, string error);

    [LoggerMessage(EventId = HubEventIds.EnvelopeChannelGap, EventName = "EnvelopeChannelGap", Level = LogLevel.Warning,
        Message = "Envelope channel of database '{Database}': after {Last} came {Sequence} (from {Leader}); the numbers between were missed.")]
    public static partial void SequenceGap(ILogger logger, string database, long last, long sequence, string leader);

    [LoggerMessage(EventId = HubEventIds.EnvelopeChannelDuplicateDropped, EventName = "EnvelopeChannelDuplicateDropped", Level = LogLevel.Debug,
        Message = "Envelope channel of database '{Database}': {Sequence} arrived again and was dropped.")]
    public static partial void DuplicateDropped(ILogger logger, string database, long sequence);
}
