using Hub.Client;
using Hub.Server.Publishing;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Npgsql;

namespace Hub.Tests.Security;

public sealed class PublishTests(SharedPostgres postgres)
{
    [Fact]
    public async Task Publish_with_the_claim_reaches_subscribers_through_the_listener()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().StartAsync();
        var subscriber = await hub.ConnectAsync("reader");
        var publisher = await hub.ConnectAsync("writer", [], publish: [hub.Database]);
        await subscriber.SubscribeAsync(hub.Database, HubFixture.Events);

        await publisher.PublishAsync(hub.Database, HubFixture.Events, "published");

        var notification = await subscriber.NextNotificationAsync();
        Assert.Equal("published", notification.Payload);
        Assert.Equal(HubFixture.Events, notification.Channel);
        Assert.True(notification.ProcessId > 0, "it came from a PostgreSQL backend, through LISTEN");
    }

    [Fact]
    public async Task Publish_without_the_claim_is_refused_and_nothing_is_sent()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().StartAsync();
        var subscriber = await hub.ConnectAsync("reader");
        var reader = await hub.ConnectAsync("reader-too", [hub.Database]);
        var publishesElsewhere = await hub.ConnectAsync("writer", [hub.Database], publish: ["some_other_database"]);
        await subscriber.SubscribeAsync(hub.Database, HubFixture.Events);

        var noClaim = await Assert.ThrowsAsync<HubException>(() => reader.PublishAsync(hub.Database, HubFixture.Events, "x"));
        var otherClaim = await Assert.ThrowsAsync<HubException>(() => publishesElsewhere.PublishAsync(hub.Database, HubFixture.Events, "x"));

        Assert.Equal($"publishing to database '{hub.Database}' is not allowed", Refusal.Of(noClaim));
        Assert.Equal(Refusal.Of(noClaim), Refusal.Of(otherClaim));
        Assert.False(await subscriber.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(500)));
        Assert.Equal([HubFixture.Events], await reader.SubscribeAsync(hub.Database, HubFixture.Events));
    }

    [Fact]
    public async Task Payload_of_8000_bytes_is_refused_with_the_limit_and_7999_bytes_arrive()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().StartAsync();
        var subscriber = await hub.ConnectAsync("reader");
        var publisher = await hub.ConnectAsync("writer", [], publish: ["*"]);
        await subscriber.SubscribeAsync(hub.Database, HubFixture.Events);
        var fits = new string('a', 7997) + "é";
        var tooLarge = new string('a', 7998) + "é";

        var error = await Assert.ThrowsAsync<HubException>(() => publisher.PublishAsync(hub.Database, HubFixture.Events, tooLarge));
        await publisher.PublishAsync(hub.Database, HubFixture.Events, fits);

        Assert.Equal("payload is 8000 bytes; a NOTIFY payload must be shorter than 8000 bytes (UTF-8)", Refusal.Of(error));
        Assert.Equal(fits, (await subscriber.NextNotificationAsync()).Payload);
    }

    [Theory]
    [InlineData(null, "channel name is required to publish")]
    [InlineData("not_allowed", "channel name 'not_allowed' is not allowed for database '{0}'")]
    [InlineData("", "channel name must not be empty (pass null for every channel of the database)")]
    public async Task Publish_to_a_channel_not_allowed_is_refused(string? channel, string expected)
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().StartAsync();
        var publisher = await hub.ConnectAsync("writer", [hub.Database], publish: [hub.Database]);

        var error = await Assert.ThrowsAsync<HubException>(() => publisher.PublishAsync(hub.Database, channel, "x"));

        Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, hub.Database), Refusal.Of(error));
        await publisher.PublishAsync(hub.Database, HubFixture.Events, "the connection carries on");
    }

    [Fact]
    public async Task Publish_to_an_unreachable_database_fails_clearly()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().Configure(s =>
            s.AddDatabase("down", $"Host=127.0.0.1;Port={FreePort.Next()};Database=down;Username=postgres;Timeout=1", HubFixture.Events)).StartAsync();
        var publisher = await hub.ConnectAsync("writer", ["*"], publish: ["*"]);

        var error = await Assert.ThrowsAsync<HubException>(() => publisher.PublishAsync("down", HubFixture.Events, "x"));

        Assert.Equal("publishing to database 'down' failed", Refusal.Of(error));
        await publisher.PublishAsync(hub.Database, HubFixture.Events, "other databases still work");
    }

    [Fact]
    public async Task Publishers_share_one_bounded_pool_per_database()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().Configure(s => s.Publish.MaxPoolSize = 2).StartAsync();
        var subscriber = await hub.ConnectAsync("reader");
        await subscriber.SubscribeAsync(hub.Database, HubFixture.Events);
        var publishers = new List<RecordingClient>();
        for (var i = 0; i < 5; i++)
        {
            publishers.Add(await hub.ConnectAsync($"writer-{i}", [], publish: [hub.Database]));
        }

        await Task.WhenAll(publishers.SelectMany((p, i) => Enumerable.Range(0, 10).Select(j => p.PublishAsync(hub.Database, HubFixture.Events, $"{i}-{j}"))));

        var received = await subscriber.NotificationsAsync(50);
        Assert.Equal(50, received.Select(static n => n.Payload).Distinct().Count());
        await using var connection = new NpgsqlConnection(postgres.Server.ConnectionString());
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = @db AND application_name = @app", connection);
        command.Parameters.AddWithValue("db", hub.Database);
        command.Parameters.AddWithValue("app", PublisherPools.PublisherApplicationName);
        Assert.InRange((long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!, 1, 2);
    }

    [Fact]
    public async Task Client_library_publishes_and_surfaces_refusals()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().StartAsync();
        var subscriber = await hub.ConnectAsync("reader");
        await subscriber.SubscribeAsync(hub.Database, HubFixture.Events);
        await using var client = new NotificationHubClient(new NotificationHubClientOptions
        {
            Url = hub.Hub.HubUrl,
            AccessTokenProvider = () => Task.FromResult<string?>(hub.Tokens.Create("writer", [], publish: [hub.Database])),
        });
        await client.StartAsync(TestContext.Current.CancellationToken);

        await client.PublishAsync(hub.Database, HubFixture.Events, "from Hub.Client", TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<HubException>(() => client.PublishAsync(hub.Database, HubFixture.Events, new string('x', 9000), TestContext.Current.CancellationToken));

        Assert.Equal("from Hub.Client", (await subscriber.NextNotificationAsync()).Payload);
        Assert.Equal("payload is 9000 bytes; a NOTIFY payload must be shorter than 8000 bytes (UTF-8)", Refusal.Of(error));
    }
}
