using System.Globalization;
using Hub.Server.Scaling;
using Hub.Tests.Infrastructure;
using Npgsql;

namespace Hub.Tests.Scaling;

public sealed class LeaderHeartbeatTests(SharedPostgres postgres)
{
    [Fact]
    public void A_heartbeat_statement_carries_what_was_delivered_exactly()
    {
        var delivered = DateTime.Parse("2026-12-02T00:13:35.8444877Z", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        Assert.Equal(delivered, LeaderHeartbeat.Delivered(LeaderHeartbeat.Sql(delivered)));
        Assert.Null(LeaderHeartbeat.Delivered(LeaderHeartbeat.Sql(null)));
        Assert.Null(LeaderHeartbeat.Delivered("SELECT 1"));
    }

    [Fact]
    public async Task Another_session_sees_the_lock_holder_its_silence_and_what_its_heartbeat_delivered()
    {
        var database = await postgres.Server.CreateUniqueDatabaseAsync("beat");
        var key = AdvisoryLockKeys.ForListener(database);
        await using var leader = new NpgsqlConnection(postgres.Server.ConnectionString(database));
        await leader.OpenAsync(TestContext.Current.CancellationToken);
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({key})", leader))
        {
            await take.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        }

        var delivered = DateTime.Parse("2026-12-02T00:13:35.8444877Z", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        await using (var beat = new NpgsqlCommand(LeaderHeartbeat.Sql(delivered), leader))
        {
            await beat.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        }

        await using var standby = new NpgsqlConnection(postgres.Server.ConnectionString(database));
        await standby.OpenAsync(TestContext.Current.CancellationToken);
        await using var look = new NpgsqlCommand(LeaderHeartbeat.HolderSql, standby);
        look.Parameters.AddWithValue("high", (key >> 32) & 0xFFFFFFFF);
        look.Parameters.AddWithValue("low", key & 0xFFFFFFFF);
        var answer = await look.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        var holder = LeaderHeartbeat.ParseHolder(answer);

        Assert.NotNull(holder);
        Assert.Equal(leader.ProcessID, holder.ProcessId);
        Assert.InRange(holder.Silent!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.True(holder.Delivered == delivered, $"read {answer}");
    }
}
