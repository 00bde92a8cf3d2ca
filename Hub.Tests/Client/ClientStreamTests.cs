using Hub.Client;
using Hub.Tests.Infrastructure;
using Hub.Tests.Streams;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Hub.Tests.Client;

/// <summary>The .NET client on outbox databases: it resumes from the last position it delivered, once, in order, and resyncs only when the hub cannot.</summary>
public sealed class ClientStreamTests(SharedPostgres postgres)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    [Scenario("stream-resume")]
    public async Task After_the_hub_is_killed_and_restarted_while_publishing_the_client_gets_exactly_the_missed_events_in_order_and_no_resync()
    {
        const int Total = 300;
        var database = await postgres.Server.CreateUniqueDatabaseAsync("cs");
        var connectionString = postgres.Server.ConnectionString(database);
        var settings = HubSettings.For(database, connectionString, HubFixture.Events, HubFixture.Other);
        OutboxScenario.Enable(settings);
        await using var first = await HubProcess.StartAsync("first", settings);
        await using var recorder = await ClientRecorder.StartAsync(new() { Url = first.HubUrl, MaxReconnectDelay = TimeSpan.FromMilliseconds(500) });
        var client = recorder.Client;

        var subscription = await client.SubscribeFromAsync(database, HubFixture.Events, since: null, TestContext.Current.CancellationToken);
        Assert.True(subscription.Recovered);
        Assert.Equal(subscription.Position, client.PositionOf(database, HubFixture.Events));
        var publishing = OutboxPublisher.PublishAsync(connectionString, HubFixture.Events, 0, Total, TimeSpan.FromMilliseconds(10));
        var received = new List<HubNotification>();
        while (received.Count < 30)
        {
            received.Add(await recorder.NextNotificationAsync());
        }

        await first.KillAsync();
        await Eventually.TrueAsync(() => client.State != HubConnectionState.Connected, Wait, "the client notices the hub died");
        await using var second = await HubProcess.StartAsync("second", settings, first.Port);
        await publishing;
        received.AddRange(await recorder.NotificationsUntilAsync((Total - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(OutboxPublisher.Payloads(0, Total), received.Select(static n => n.Payload));
        Assert.All(received.Zip(received.Skip(1)), static pair => Assert.Equal(-1, StreamPositions.Compare(pair.First.Position!, pair.Second.Position!)));
        Assert.Equal(received[^1].Position, client.PositionOf(database, HubFixture.Events));
        Assert.Equal(received[^1].Position, client.PositionOf(database));
        await OutboxPublisher.PublishAsync(connectionString, HubFixture.Events, Total, 1);
        Assert.Equal(Total.ToString(System.Globalization.CultureInfo.InvariantCulture), (await recorder.NextNotificationAsync()).Payload);
        Assert.Equal(0, recorder.ResyncCount);
    }

    [Fact]
    [Scenario("stream-resume")]
    public async Task A_stored_position_resumes_a_new_client_and_a_repeated_replay_is_dropped()
    {
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server);
        string stored;
        await using (var first = await ClientRecorder.StartAsync(new() { Url = outbox.Fixture.HubUrl }))
        {
            await first.Client.SubscribeFromAsync(outbox.Database, HubFixture.Events, since: null, TestContext.Current.CancellationToken);
            await OutboxPublisher.PublishAsync(outbox.ConnectionString, HubFixture.Events, 0, 10);
            var seen = await first.NotificationsUntilAsync("9");
            stored = seen[3].Position!;
        }

        // Published while no client of this application is connected.
        await OutboxPublisher.PublishAsync(outbox.ConnectionString, HubFixture.Events, 10, 2);
        await using var recorder = await ClientRecorder.StartAsync(new() { Url = outbox.Fixture.HubUrl });
        var subscription = await recorder.Client.SubscribeFromAsync(outbox.Database, HubFixture.Events, stored, TestContext.Current.CancellationToken);
        var replayed = await recorder.NotificationsUntilAsync("11");

        Assert.True(subscription.Recovered);
        Assert.Equal([HubFixture.Events], subscription.Channels);
        Assert.Equal(OutboxPublisher.Payloads(4, 8), replayed.Select(static n => n.Payload));
        // The answer stands at the last row the replay read; rows not yet visible to it then came live right after.
        Assert.InRange(StreamPositions.Compare(subscription.Position, replayed[^1].Position!)!.Value, -1, 0);
        Assert.Equal(replayed[^1].Position, recorder.Client.PositionOf(outbox.Database, HubFixture.Events));

        // The hub replays 4..11 again; each is at or before what the client delivered, so none reaches the application.
        await recorder.Client.SubscribeFromAsync(outbox.Database, HubFixture.Events, stored, TestContext.Current.CancellationToken);
        await OutboxPublisher.PublishAsync(outbox.ConnectionString, HubFixture.Events, 12, 1);
        Assert.Equal("12", (await recorder.NextNotificationAsync()).Payload);
        Assert.Equal(0, recorder.ResyncCount);
    }

    [Fact]
    [Scenario("stream-resume")]
    public async Task Plain_subscriptions_of_the_same_client_still_get_client_reconnected_and_durable_ones_do_not()
    {
        var (hub, durable, plain) = await StartDurableAndPlainAsync();
        await using var _ = hub;
        await using var recorder = await ClientRecorder.StartAsync(new() { Url = hub.HubUrl, MaxReconnectDelay = TimeSpan.FromMilliseconds(500) });
        await recorder.Client.SubscribeFromAsync(durable, HubFixture.Events, since: null, TestContext.Current.CancellationToken);
        await recorder.Client.SubscribeAsync(plain, HubFixture.Events, TestContext.Current.CancellationToken);

        await hub.StopAsync();
        await Eventually.TrueAsync(() => recorder.Client.State != HubConnectionState.Connected, Wait, "the client notices the hub went away");
        await OutboxPublisher.PublishAsync(postgres.Server.ConnectionString(durable), HubFixture.Events, 0, 3);
        await hub.StartAsync();

        var resync = await recorder.NextResyncAsync();
        Assert.Equal((plain, ResyncReasons.ClientReconnected), (resync.Database, resync.Reason));
        Assert.Equal(OutboxPublisher.Payloads(0, 3), (await recorder.NotificationsUntilAsync("2")).Select(static n => n.Payload));
        await Postgres.NotifyAsync(postgres.Server.ConnectionString(plain), HubFixture.Events, "plain after");
        Assert.Equal("plain after", (await recorder.NextNotificationAsync()).Payload);
        Assert.Equal(1, recorder.ResyncCount);
    }

    [Fact]
    [Scenario("stream-history-unavailable")]
    public async Task A_position_from_another_epoch_at_start_is_one_history_unavailable_resync_and_live_delivery()
    {
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server);
        var (old, current) = await outbox.StartNewEpochAsync(await outbox.SubscribedClientAsync());
        await using var recorder = await ClientRecorder.StartAsync(new() { Url = outbox.Fixture.HubUrl });

        var subscription = await recorder.Client.SubscribeFromAsync(outbox.Database, HubFixture.Events, old.Position, TestContext.Current.CancellationToken);
        var resync = await recorder.NextResyncAsync();
        await outbox.PublishAsync(HubFixture.Events, "live");

        Assert.False(subscription.Recovered);
        Assert.Equal(current.Position, subscription.Position);
        Assert.Null(StreamPositions.Compare(old.Position!, current.Position!));
        Assert.Equal((outbox.Database, ResyncReasons.HistoryUnavailable), (resync.Database, resync.Reason));
        var next = await recorder.NextNotificationAsync();
        Assert.Equal("live", next.Payload);
        Assert.Equal(next.Position, recorder.Client.PositionOf(outbox.Database, HubFixture.Events));
        Assert.Equal(1, recorder.ResyncCount);
    }

    [Fact]
    [Scenario("stream-history-unavailable")]
    public async Task A_position_older_than_retention_is_a_history_unavailable_resync()
    {
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server, static o => o.Retention = TimeSpan.FromSeconds(1));
        var live = await outbox.SubscribedClientAsync();
        await OutboxPublisher.PublishAsync(outbox.ConnectionString, HubFixture.Events, 0, 3);
        var seen = await live.NotificationsAsync(3);
        await Eventually.TrueAsync(() => OutboxRowsAsync(outbox.ConnectionString, 0), Wait, "retention deletes the delivered rows");
        await using var recorder = await ClientRecorder.StartAsync(new() { Url = outbox.Fixture.HubUrl });

        var subscription = await recorder.Client.SubscribeFromAsync(outbox.Database, HubFixture.Events, seen[0].Position, TestContext.Current.CancellationToken);

        Assert.False(subscription.Recovered);
        Assert.Equal(ResyncReasons.HistoryUnavailable, (await recorder.NextResyncAsync()).Reason);
        await outbox.PublishAsync(HubFixture.Events, "live");
        Assert.Equal("live", (await recorder.NextNotificationAsync()).Payload);
    }

    [Fact]
    [Scenario("stream-history-unavailable")]
    public async Task An_outbox_truncated_while_the_client_was_away_is_one_history_unavailable_resync_after_the_reconnect()
    {
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server);
        await using var recorder = await ClientRecorder.StartAsync(new() { Url = outbox.Fixture.HubUrl, MaxReconnectDelay = TimeSpan.FromMilliseconds(500) });
        await recorder.Client.SubscribeFromAsync(outbox.Database, HubFixture.Events, since: null, TestContext.Current.CancellationToken);
        await outbox.PublishAsync(HubFixture.Events, "before");
        Assert.Equal("before", (await recorder.NextNotificationAsync()).Payload);

        await outbox.Fixture.Hub.StopAsync();
        await Eventually.TrueAsync(() => recorder.Client.State != HubConnectionState.Connected, Wait, "the client notices the hub went away");
        await outbox.ExecuteAsync("TRUNCATE notify_hub.outbox");
        await outbox.PublishAsync(HubFixture.Events, "lost with the old epoch's position");
        await outbox.Fixture.Hub.StartAsync();

        var resync = await recorder.NextResyncAsync();
        Assert.Equal((outbox.Database, ResyncReasons.HistoryUnavailable), (resync.Database, resync.Reason));
        await Eventually.TrueAsync(() => recorder.Client.State == HubConnectionState.Connected, Wait, "the client reconnects");
        await outbox.PublishAsync(HubFixture.Events, "live");
        Assert.Equal("live", (await recorder.NextNotificationAsync()).Payload);
        Assert.Equal(1, recorder.ResyncCount);
    }

    [Theory]
    [Scenario("refusal")]
    [InlineData("garbage", "is not a valid stream position")]
    [InlineData(null, "has no durable stream")]
    public async Task A_refused_SubscribeFrom_fails_with_the_hubs_message_keeps_nothing_and_the_client_carries_on(string? since, string message)
    {
        var (hub, durable, plain) = await StartDurableAndPlainAsync();
        await using var _ = hub;
        await using var recorder = await ClientRecorder.StartAsync(new() { Url = hub.HubUrl });
        var database = since is null ? plain : durable;

        var error = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(
            () => recorder.Client.SubscribeFromAsync(database, HubFixture.Events, since, TestContext.Current.CancellationToken));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(recorder.Client.Subscriptions);
        Assert.Null(recorder.Client.PositionOf(database, HubFixture.Events));
        await recorder.Client.SubscribeFromAsync(durable, HubFixture.Events, since: null, TestContext.Current.CancellationToken);
        await OutboxPublisher.PublishAsync(postgres.Server.ConnectionString(durable), HubFixture.Events, 0, 1);
        Assert.Equal("0", (await recorder.NextNotificationAsync()).Payload);
    }

    /// <summary>A hub serving an outbox database and a plain one, each with the channel 'events'.</summary>
    private async Task<(HubHost Hub, string Durable, string Plain)> StartDurableAndPlainAsync()
    {
        var durable = await postgres.Server.CreateUniqueDatabaseAsync("cs");
        var plain = await postgres.Server.CreateUniqueDatabaseAsync("plain");
        var settings = HubSettings.For(durable, postgres.Server.ConnectionString(durable), HubFixture.Events)
            .AddDatabase(plain, postgres.Server.ConnectionString(plain), HubFixture.Events);
        settings.Databases[durable].Outbox.Enabled = true;
        return (await HubHost.StartAsync(settings), durable, plain);
    }

    private static async Task<bool> OutboxRowsAsync(string connectionString, long expected)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM notify_hub.outbox", connection);
        return (long)(await count.ExecuteScalarAsync())! == expected;
    }
}
