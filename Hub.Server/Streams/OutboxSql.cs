using Hub.Server.Databases;

namespace Hub.Server.Streams;

/// <summary>
/// The SQL of one outbox schema, the only place that builds it. The schema is installed from
/// <c>scripts/outbox.sql</c>, embedded in the hub, so what the hub installs and what a DBA runs are one text.
/// </summary>
/// <remarks>
/// The schema name is put in by replacing <see cref="OutboxOptions.DefaultSchema"/>: configuration only admits
/// lower-case identifiers (<see cref="OutboxOptionsRules"/>), which need no quoting and cannot change the statements.
/// </remarks>
public sealed class OutboxSql
{
    private const string ScriptResource = "Hub.Server.Streams.outbox.sql";

    private static readonly Lazy<string> Script = new(ReadScript);

    /// <summary>The statements of the outbox in <paramref name="schema"/>.</summary>
    public OutboxSql(string schema)
    {
        Schema = schema;
        WakeChannel = schema + "_wake";
        SentChannel = schema + "_sent";
        var metaRow = $"(SELECT epoch, purged_tx, purged_id FROM {schema}.meta LIMIT 1)";
        ListenSent = $"LISTEN {SentChannel}";
        UnlistenSent = $"UNLISTEN {SentChannel}";
        Install = InSchema(Script.Value);
        Publish = $"SELECT {schema}.publish($1, $2)";
        SetMaxPayload = $"UPDATE {schema}.meta SET max_payload_bytes = $1 WHERE max_payload_bytes IS DISTINCT FROM $1";

        // One statement, one snapshot: rows of transactions below the oldest one still running, after the cursor.
        // The meta row comes along so that a TRUNCATE (new epoch) or a retention pass is seen in the same snapshot.
        // It is read through LIMIT 1: the planner, with no statistics on the one-row table, guesses a thousand rows
        // and prices the join above jit_above_cost, and JIT-compiling each batch cost more than reading it.
        ReadBatch = $"""
            SELECT m.epoch, m.purged_tx::text, m.purged_id, o.tx::text, o.id, o.channel, o.payload, o.pid
            FROM {metaRow} m
            LEFT JOIN LATERAL (
                SELECT tx, id, channel, payload, pid FROM {schema}.outbox
                WHERE (tx, id) > ($1::xid8, $2) AND tx < pg_snapshot_xmin(pg_current_snapshot())
                  AND ($4::text[] IS NULL OR channel = ANY($4))
                ORDER BY tx, id
                LIMIT $3) o ON true
            ORDER BY o.tx, o.id
            """;
        ReadHead = $"""
            SELECT m.epoch, m.purged_tx::text, m.purged_id, h.tx::text, h.id
            FROM {metaRow} m
            LEFT JOIN LATERAL (
                SELECT tx, id FROM {schema}.outbox
                WHERE tx < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY tx DESC, id DESC
                LIMIT 1) h ON true
            """;
        ReadCursor = $"SELECT epoch, tx::text, id FROM {schema}.cursor";
        RowExists = $"SELECT EXISTS (SELECT 1 FROM {schema}.outbox WHERE tx = $1::xid8 AND id = $2)";

        // The database lost committed rows (a crash without synchronous commit, a failover to a replica behind it):
        // a new epoch, and the last row at or before the cursor that was written before the server started.
        RenewEpoch = $"""
            WITH renewed AS (
                UPDATE {schema}.meta SET epoch = {schema}.random_epoch() RETURNING epoch)
            SELECT r.epoch, s.tx::text, s.id FROM renewed r
            LEFT JOIN LATERAL (
                SELECT tx, id FROM {schema}.outbox
                WHERE (tx, id) <= ($1::xid8, $2) AND created_at < pg_postmaster_start_time()
                ORDER BY tx DESC, id DESC
                LIMIT 1) s ON true
            """;

        // A cursor that moved tells the instances waiting for it (replays on other instances than the leader).
        SaveCursor = $"""
            WITH saved AS (
                INSERT INTO {schema}.cursor AS c (singleton, epoch, tx, id) VALUES (true, $1, $2::xid8, $3)
                ON CONFLICT (singleton) DO UPDATE SET epoch = excluded.epoch, tx = excluded.tx, id = excluded.id, updated_at = now()
                WHERE c.epoch <> excluded.epoch OR (c.tx, c.id) < (excluded.tx, excluded.id)
                RETURNING 1)
            SELECT pg_notify('{SentChannel}', '') FROM saved
            """;

        // Only rows the reader has sent (at or before its stored cursor) are deleted, oldest first, a batch at a
        // time; the mark of the latest deleted row tells SubscribeFrom which positions can no longer be resumed.
        Purge = $"""
            WITH doomed AS (
                SELECT o.tx, o.id FROM {schema}.outbox o, {schema}.cursor c, {schema}.meta m
                WHERE o.created_at < now() - $1::interval AND c.epoch = m.epoch AND (o.tx, o.id) <= (c.tx, c.id)
                ORDER BY o.tx, o.id
                LIMIT $2),
            deleted AS (
                DELETE FROM {schema}.outbox o USING doomed d WHERE o.tx = d.tx AND o.id = d.id RETURNING o.tx, o.id),
            latest AS (
                SELECT tx, id FROM deleted ORDER BY tx DESC, id DESC LIMIT 1),
            marked AS (
                UPDATE {schema}.meta m SET purged_tx = latest.tx, purged_id = latest.id FROM latest
                WHERE (latest.tx, latest.id) > (m.purged_tx, m.purged_id) RETURNING 1)
            SELECT count(*) FROM deleted
            """;
    }

    /// <summary>The schema's name.</summary>
    public string Schema { get; }

    /// <summary>The channel <c>publish</c> notifies (with an empty payload) to wake the reader.</summary>
    public string WakeChannel { get; }

    /// <summary>The channel <see cref="SaveCursor"/> notifies (with an empty payload) when the stored cursor moves.</summary>
    public string SentChannel { get; }

    /// <summary>Listens on <see cref="SentChannel"/>.</summary>
    public string ListenSent { get; }

    /// <summary>Stops listening on <see cref="SentChannel"/>.</summary>
    public string UnlistenSent { get; }

    /// <summary><c>scripts/outbox.sql</c> for this schema.</summary>
    public string Install { get; }

    /// <summary>Publishes <c>$1</c> (channel) and <c>$2</c> (payload).</summary>
    public string Publish { get; }

    /// <summary>Stores the payload limit <c>$1</c>.</summary>
    public string SetMaxPayload { get; }

    /// <summary>
    /// At most <c>$3</c> rows after (<c>$1</c> tx as text, <c>$2</c> id), of the channels <c>$4</c> (null: all),
    /// with the epoch and retention mark; one row of nulls and the meta when there are none.
    /// </summary>
    public string ReadBatch { get; }

    /// <summary>The epoch, retention mark and the last row readable now.</summary>
    public string ReadHead { get; }

    /// <summary>The stored cursor, if any.</summary>
    public string ReadCursor { get; }

    /// <summary>Whether the row (<c>$1</c> tx as text, <c>$2</c> id) is in the outbox.</summary>
    public string RowExists { get; }

    /// <summary>
    /// Starts a new epoch and returns it with the last row at or before (<c>$1</c> tx as text, <c>$2</c> id) that was
    /// written before the server started (nulls when none).
    /// </summary>
    public string RenewEpoch { get; }

    /// <summary>
    /// Moves the stored cursor forward to (<c>$1</c> epoch, <c>$2</c> tx as text, <c>$3</c> id), never back within an
    /// epoch, and notifies <see cref="SentChannel"/> when it moved.
    /// </summary>
    public string SaveCursor { get; }

    /// <summary>Deletes up to <c>$2</c> sent rows older than <c>$1</c> and returns how many it deleted.</summary>
    public string Purge { get; }

    /// <summary>The text of <c>scripts/outbox.sql</c> as the hub carries it.</summary>
    public static string ScriptText => Script.Value;

    /// <summary>The age of the oldest transaction on the server that holds delivery back (server-wide), in seconds.</summary>
    public const string OldestTransactionAge = """
        SELECT COALESCE(EXTRACT(EPOCH FROM GREATEST(
            (SELECT max(now() - xact_start) FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()),
            (SELECT max(now() - prepared) FROM pg_prepared_xacts))), 0)::float8
        """;

    private string InSchema(string text) => text.Replace(OutboxOptions.DefaultSchema, Schema, StringComparison.Ordinal);

    private static string ReadScript()
    {
        using var stream = typeof(OutboxSql).Assembly.GetManifestResourceStream(ScriptResource)
            ?? throw new InvalidOperationException($"The embedded resource {ScriptResource} is missing from the hub.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
