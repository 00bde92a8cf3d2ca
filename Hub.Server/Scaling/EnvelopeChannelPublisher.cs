using System.Collections.Concurrent;
using Hub.Server.Contracts;
using Hub.Server.Delivery;
using Hub.Server.Telemetry;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hub.Server.Scaling;

/// <summary>
/// The leader's side of the envelope channel: the <see cref="IEnvelopeSender"/> of the delivery queues when scaled out.
/// Each envelope is published once, serialized, with the database's next sequence number and the leader's epoch; every
/// instance (this one included) fans it out to its own connections (<see cref="EnvelopeChannelReceiver"/>).
/// </summary>
/// <remarks>
/// <para>
/// One Lua script numbers and publishes a message atomically, so the sequence has no holes however leaders change
/// (and names the sequence's incarnation, which changes when Redis lost the counter and it starts over),
/// and refuses a leader whose epoch is older than one already published with: an instance that lost the leadership
/// cannot slip a late envelope in after its successor's. The epoch is a PostgreSQL transaction id the leader took
/// when it got the database's lock (<see cref="AdvisoryLockLeadership"/>), so a later leader always has a larger one,
/// and Redis losing its keys (a restart without persistence) cannot reorder leaders.
/// </para>
/// <para>
/// Connections on SignalR's own transports (fallback transports, or the hub's transport switched off) are not in the
/// hub's local groups; for them the leader also sends through SignalR's backplane, as before, when
/// <c>signalRGroupSends</c> says such connections may exist.
/// </para>
/// </remarks>
public sealed class EnvelopeChannelPublisher(
    EnvelopeChannelConnection channel,
    IEnvelopeSender signalR,
    bool signalRGroupSends,
    HubInstance instance,
    IOptions<ScaleOutOptions> options,
    TimeProvider time,
    ILogger<EnvelopeChannelPublisher> logger) : IEnvelopeSender
{
    /// <summary>Refusal answer of <see cref="Script"/>: a newer epoch has published.</summary>
    private const long Refused = -1;

    // KEYS: sequence, epoch, incarnation. ARGV: epoch, body, 1 to take the next number (an envelope) or 0 (a
    // heartbeat), channel, the incarnation to set when there is none.
    private const string Script =
        """
        local stored = tonumber(redis.call('GET', KEYS[2]) or '0')
        local epoch = tonumber(ARGV[1])
        if epoch < stored then return -1 end
        if epoch > stored then redis.call('SET', KEYS[2], ARGV[1]) end
        local incarnation = redis.call('GET', KEYS[3])
        if not incarnation then
          incarnation = ARGV[5]
          redis.call('SET', KEYS[3], incarnation)
          redis.call('DEL', KEYS[1])
        end
        local sequence
        if ARGV[3] == '1' then sequence = redis.call('INCR', KEYS[1]) else sequence = tonumber(redis.call('GET', KEYS[1]) or '0') end
        redis.call('PUBLISH', ARGV[4], sequence .. ':' .. incarnation .. '|' .. ARGV[2])
        return sequence
        """;

    private readonly ConcurrentDictionary<string, LeaderTerm> _terms = new(StringComparer.Ordinal);
    // A leader checks at each heartbeat, so giving up one interval early keeps the whole bound within LeaderTimeout.
    private readonly TimeSpan _giveUpAfter = options.Value.LeaderTimeout - options.Value.LeaderHeartbeatInterval;
    private readonly string _incarnation = Guid.NewGuid().ToString("N");

    /// <summary>Whether this instance can publish at all: a leader without Redis would deliver nothing.</summary>
    public bool CanLead => channel.IsConnected;

    /// <summary>Starts a term of this instance leading <paramref name="database"/> with <paramref name="epoch"/>.</summary>
    public void BeginTerm(string database, long epoch)
    {
        var term = new LeaderTerm(epoch, time.GetTimestamp());
        if (_terms.TryGetValue(database, out var previous))
        {
            previous.Abandon();
        }

        _terms[database] = term;
        ScaleOutLog.TermStarted(logger, database, epoch);
    }

    /// <summary>
    /// Whether the current term of <paramref name="database"/> can still publish; when it cannot, it is abandoned and
    /// <paramref name="reason"/> says why, and the leadership must go to an instance that can.
    /// </summary>
    public bool IsHealthy(string database, out string? reason)
    {
        reason = null;
        if (!_terms.TryGetValue(database, out var term))
        {
            return true;
        }

        var silent = time.GetElapsedTime(term.LastSuccessStartedAt);
        reason = term.Superseded ? "Redis refused the leader's epoch: another instance leads the database."
            : silent >= _giveUpAfter ? $"Nothing could be published on the envelope channel for {silent} ({ScaleOutOptions.SectionName}:{nameof(ScaleOutOptions.LeaderTimeout)} less one heartbeat interval: {_giveUpAfter})."
            : null;
        if (reason is null)
        {
            return true;
        }

        term.Abandon();
        ScaleOutLog.TermAbandoned(logger, database, term.Epoch, reason);
        return false;
    }

    /// <summary>Publishes the heartbeat of <paramref name="database"/>'s term in the background; never waits for Redis.</summary>
    public void Heartbeat(string database)
    {
        if (_terms.TryGetValue(database, out var term))
        {
            _ = HeartbeatAsync(database, term);
        }
    }

    /// <inheritdoc />
    public async Task SendAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var (database, notificationAt) = envelope switch
        {
            NotificationEnvelope notification => (notification.Database, (DateTime?)notification.ReceivedAt),
            ResyncEnvelope resync => (resync.Database, null),
            _ => throw new ArgumentException($"A {envelope.GetType().Name} cannot be published.", nameof(envelope)),
        };
        if (!_terms.TryGetValue(database, out var term))
        {
            throw new InvalidOperationException($"This instance does not lead database '{database}'.");
        }

        await PublishAsync(database, term, envelope, notificationAt).ConfigureAwait(false);
        if (signalRGroupSends)
        {
            await signalR.SendAsync(envelope, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public Task SendToConnectionAsync(string connectionId, Envelope envelope, CancellationToken cancellationToken)
        => signalR.SendToConnectionAsync(connectionId, envelope, cancellationToken);

    private async Task HeartbeatAsync(string database, LeaderTerm term)
    {
        try
        {
            await PublishAsync(database, term, null, null).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or InvalidOperationException or TimeoutException)
        {
            // Counted by the term: a leader whose heartbeats keep failing gives the leadership up.
            ScaleOutLog.HeartbeatFailed(logger, database, ex.Message);
        }
    }

    private async Task PublishAsync(string database, LeaderTerm term, Envelope? envelope, DateTime? notificationAt)
    {
        if (term.Abandoned.IsCompleted)
        {
            throw new InvalidOperationException($"The leadership of database '{database}' was given up.");
        }

        var startedAt = time.GetTimestamp();
        var body = ChannelMessageCodec.EncodeBody(database, term.Epoch, instance.Id, envelope, envelope is null ? term.LastNotificationAt : null);
        var names = channel.Names;
        var publish = channel.Multiplexer.GetDatabase().ScriptEvaluateAsync(
            Script,
            [names.SequenceKey(database), names.EpochKey(database), names.IncarnationKey(database)],
            [term.Epoch, body, envelope is null ? 0 : 1, names.Channel, _incarnation]);
        // A link that went silent holds the publish until Redis's own timeout; a term given up fails it at once.
        if (await Task.WhenAny(publish, term.Abandoned).ConfigureAwait(false) != publish)
        {
            _ = publish.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            throw new InvalidOperationException($"The leadership of database '{database}' was given up before Redis answered.");
        }

        if ((long)await publish.ConfigureAwait(false) == Refused)
        {
            term.Supersede();
            throw new InvalidOperationException($"Redis refused epoch {term.Epoch} of database '{database}': another instance leads it.");
        }

        term.Succeeded(startedAt, notificationAt);
    }
}
