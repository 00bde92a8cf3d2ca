namespace Hub.Server.Listening;

/// <summary>
/// The channels a listener connection LISTENs on, and how to bring them in line with the channels wanted. Pure
/// bookkeeping: its owner plans under its gate, runs <see cref="ListenChange.Sql"/> on the connection outside it, and
/// applies the change afterwards.
/// </summary>
public sealed class ListenSet
{
    private HashSet<string> _active = new(StringComparer.Ordinal);

    /// <summary>The channels LISTENed on now; a new set after every change, so a reader never sees one mid-change.</summary>
    public IReadOnlySet<string> Active => _active;

    /// <summary>
    /// What turns the active set into <paramref name="wanted"/>. The channels to UNLISTEN stop counting as active at
    /// once, before the UNLISTEN runs: a subscriber arriving meanwhile must wait for the next LISTEN rather than be
    /// told a channel on its way out is live.
    /// </summary>
    public ListenChange Plan(IEnumerable<string> wanted)
    {
        var want = new HashSet<string>(wanted, StringComparer.Ordinal);
        var change = new ListenChange(
            [.. want.Where(channel => !_active.Contains(channel))],
            [.. _active.Where(channel => !want.Contains(channel))]);
        if (change.Unlisten.Count > 0)
        {
            _active = new HashSet<string>(_active.Except(change.Unlisten), StringComparer.Ordinal);
        }

        return change;
    }

    /// <summary>The LISTENs of <paramref name="change"/> succeeded: its channels are active.</summary>
    public void Applied(ListenChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Listen.Count > 0)
        {
            _active = new HashSet<string>(_active.Concat(change.Listen), StringComparer.Ordinal);
        }
    }

    /// <summary>The connection is gone, or LISTENs on nothing any more.</summary>
    public void Clear() => _active = new HashSet<string>(StringComparer.Ordinal);
}
