using Hub.Server.Streams;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Npgsql;

namespace Hub.Tests.Streams;

public sealed class OutboxDeliveryTests(SharedPostgres postgres)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Published_row_arrives_with_a_position(bool messagePack)
    {
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server);
        var client = await outbox.SubscribedClientAsync(messagePack: messagePack);

        await outbox.PublishAsync(HubFixture.Events, "hello");

        var notification = await client.NextNotificationAsync();
        Assert.Equal((outbox.Database, HubFixture.Events, "hello"), (notification.Database, notification.Channel, notification.Payload));
        Assert.True(notification.ProcessId > 0);
        Assert.True(StreamPosition.TryParse(notification.Position, out _), $"'{notification.Position}' is a stream position");
    }

    [Fact]
    public async Task Plain_notify_database_carries_no_position()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var client = await scenario.SubscribedClientAsync();

        await scenario.NotifyAsync(HubFixture.Events, "plain");

        Assert.Null((await client.NextNotificationAsync()).Position);
    }

    [Fact]
    public async Task Rolled_back_transaction_sends_nothing_and_nothing_is_visible_before_commit()
    {
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server);
        var client = await outbox.SubscribedClientAsync();
        await using var connection = await outbox.OpenAsync();

        await using (var rolledBack = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken))
        {
            await PublishAsync(connection, "rolled back");
            await rolledBack.RollbackAsync(TestContext.Current.CancellationToken);
        }

        await using var open = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await PublishAsync(connection, "committed");
        Assert.False(await client.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(800)), "nothing before the commit");
        await open.CommitAsync(TestContext.Current.CancellationToken);

        Assert.Equal("committed", (await client.NextNotificationAsync()).Payload);
        Assert.False(await client.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(500)), "the rolled-back row never arrives");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Payload_of_100_KB_arrives_intact(bool messagePack)
    {
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server);
        var client = await outbox.SubscribedClientAsync(messagePack: messagePack);
        var payload = string.Concat(Enumerable.Range(0, 100 * 1024).Select(i => (char)('a' + (i % 26))));

        await outbox.PublishAsync(HubFixture.Events, payload);

        Assert.Equal(payload, (await client.NextNotificationAsync()).Payload);
    }

    [Fact]
    public async Task Payload_over_the_configured_limit_fails_with_a_clear_sql_error_and_delivery_carries_on()
    {
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server, o => o.MaxPayloadBytes = 1000);
        var client = await outbox.SubscribedClientAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => outbox.PublishAsync(HubFixture.Events, new string('x', 1001)));
        await outbox.PublishAsync(HubFixture.Events, new string('y', 1000));

        Assert.Equal("54000", error.SqlState);
        Assert.Contains("payload of 1001 bytes is larger than the outbox allows (1000 bytes)", error.MessageText, StringComparison.Ordinal);
        Assert.Equal(new string('y', 1000), (await client.NextNotificationAsync()).Payload);
    }

    [Fact]
    public async Task Hub_publish_writes_through_the_outbox_and_refuses_a_payload_over_its_limit()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens()
            .Configure(settings => OutboxScenario.Enable(settings, o => o.MaxPayloadBytes = 20_000))
            .StartAsync();
        var client = await hub.ConnectAsync("writer", publish: ["*"]);
        await client.SubscribeAsync(hub.Database, HubFixture.Events);
        var large = new string('z', 12_000);

        await client.PublishAsync(hub.Database, HubFixture.Events, large);
        var error = await Assert.ThrowsAsync<HubException>(() => client.PublishAsync(hub.Database, HubFixture.Events, new string('z', 20_001)));

        var notification = await client.NextNotificationAsync();
        Assert.Equal(large, notification.Payload);
        Assert.NotNull(notification.Position);
        Assert.Contains("at most 20000 bytes", error.Message, StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(hub.DatabaseConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM notify_hub.outbox", connection);
        Assert.Equal(1L, await count.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Transaction_that_takes_its_id_first_and_commits_last_is_delivered_in_stream_order()
    {
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server);
        var client = await outbox.SubscribedClientAsync();
        await using var early = await outbox.OpenAsync();
        await using var transaction = await early.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await PublishAsync(early, "early");

        // Later transactions commit while the early one is still open.
        await outbox.PublishAsync(HubFixture.Events, "late 1");
        await outbox.PublishAsync(HubFixture.Events, "late 2");
        Assert.False(await client.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(800)), "rows above the open transaction wait for it");
        await transaction.CommitAsync(TestContext.Current.CancellationToken);

        var received = await client.NotificationsAsync(3);
        Assert.Equal(["early", "late 1", "late 2"], received.Select(n => n.Payload));
        var positions = received.Select(n => n.Position!).ToArray();
        Assert.Equal(positions.Order(StringComparer.Ordinal), positions);
        Assert.False(await client.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(300)), "each row once");
    }

    [Fact]
    public async Task Stats_report_the_outbox_and_the_age_of_an_open_writing_transaction()
    {
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server);
        var client = await outbox.SubscribedClientAsync();
        await outbox.PublishAsync(HubFixture.Events, "one");
        var delivered = await client.NextNotificationAsync();
        await using var holder = await outbox.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await using (var write = new NpgsqlCommand("SELECT pg_current_xact_id()", holder))
        {
            await write.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        }

        using var http = new HttpClient { BaseAddress = outbox.Fixture.Hub.BaseUrl };
        System.Text.Json.JsonElement stats = default;
        await Eventually.TrueAsync(
            async () =>
            {
                stats = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/api/stats", TestContext.Current.CancellationToken)).RootElement.GetProperty("databases").GetProperty(outbox.Database).GetProperty("outbox");
                return stats.GetProperty("oldestTransactionSeconds").GetDouble() >= 1;
            },
            TimeSpan.FromSeconds(15),
            "the open transaction's age is reported");
        Assert.True(stats.GetProperty("reading").GetBoolean());
        Assert.Equal(delivered.Position, stats.GetProperty("position").GetString());
        Assert.Equal(1, stats.GetProperty("rowsSent").GetInt64());
        await transaction.RollbackAsync(TestContext.Current.CancellationToken);
    }

    private static async Task PublishAsync(NpgsqlConnection connection, string payload)
    {
        await using var command = new NpgsqlCommand("SELECT notify_hub.publish('events', $1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = payload });
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
