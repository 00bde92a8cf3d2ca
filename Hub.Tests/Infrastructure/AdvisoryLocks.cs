using Npgsql;

namespace Hub.Tests.Infrastructure;

/// <summary>Who holds a session advisory lock, read from pg_locks.</summary>
public static class AdvisoryLocks
{
    /// <summary>The backends holding the bigint advisory lock <paramref name="key"/> in <paramref name="database"/>.</summary>
    public static async Task<int[]> HoldersAsync(string adminConnectionString, string database, long key)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        // A bigint key is stored as its high half in classid and its low half in objid, with objsubid 1.
        await using var command = new NpgsqlCommand(
            """
            SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database
            WHERE l.locktype = 'advisory' AND l.granted AND d.datname = @database
              AND l.classid::bigint = @high AND l.objid::bigint = @low AND l.objsubid = 1
            ORDER BY l.pid
            """, connection);
        command.Parameters.AddWithValue("database", database);
        command.Parameters.AddWithValue("high", (key >> 32) & 0xFFFFFFFF);
        command.Parameters.AddWithValue("low", key & 0xFFFFFFFF);
        var pids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }

        return [.. pids];
    }
}
