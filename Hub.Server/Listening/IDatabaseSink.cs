using Hub.Server.Contracts;

namespace Hub.Server.Listening;

/// <summary>
/// The ordered sink of one database's envelopes (see <see cref="INotificationSink"/>). Disposing it stops accepting
/// envelopes and waits until those accepted are sent.
/// </summary>
public interface IDatabaseSink : IAsyncDisposable
{
    /// <summary>How many envelopes wait to be sent.</summary>
    int Pending { get; }

    /// <summary>
    /// The receive time of the newest notification whose send completed: everything the listener received up to
    /// then has been handed to clients (or the backplane). Null before the first.
    /// </summary>
    DateTime? LastSent { get; }

    /// <summary>
    /// The sink sends only while this lease is valid; when it is not, it drops what is queued instead, because
    /// another instance leads the database now and covers the drop with its resync.
    /// </summary>
    ForwardingLease Lease { get; }

    /// <summary>
    /// Queues <paramref name="envelope"/> behind everything queued before it. Called inside Npgsql's read loop, so it
    /// must neither block nor do I/O.
    /// </summary>
    void Enqueue(Envelope envelope);

    /// <summary>
    /// Completes once everything queued before this call has been sent (and so handed to the backplane), or at once
    /// when the sink no longer accepts envelopes. An outbox database's reader stores its cursor only then, and only
    /// when the answer is true.
    /// </summary>
    /// <returns>
    /// False when an envelope with a position queued since the previous call was not sent (its send failed), or when
    /// the sink no longer accepts envelopes: then none with a position queued after it up to this call was sent either,
    /// so that clients, which drop what does not come after what they have, get the rows again in order once their
    /// reader reads them again from before the failure.
    /// </returns>
    Task<bool> SentAsync();
}
