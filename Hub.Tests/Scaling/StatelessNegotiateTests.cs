using System.Globalization;
using System.Text.RegularExpressions;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Scaling;

/// <summary>
/// The hub's <c>negotiate</c> keeps no state, so a client may negotiate with one instance and open its WebSocket on
/// another: shown behind nginx with plain round-robin (no affinity), also after an instance restarted.
/// </summary>
[Trait("Category", "Faults")]
public sealed partial class StatelessNegotiateTests(SharedPostgres postgres)
{
    [Fact]
    public async Task Negotiate_on_one_instance_and_the_WebSocket_on_another_succeed_behind_round_robin_also_after_a_restart()
    {
        await using var redis = await RedisServer.StartAsync();
        var database = await postgres.Server.CreateUniqueDatabaseAsync("roundrobin");
        var settings = HubSettings.For(database, postgres.Server.ConnectionString(database), HubFixture.Events);
        settings.Redis = redis.Configuration;
        settings.ScaleOut.ChannelPrefix = $"test-{database}";
        // A first subscriber waits for the listener to connect, LISTEN and take or miss the lock: seconds on a busy machine.
        settings.Listener.SubscribeTimeout = TimeSpan.FromSeconds(20);
        var first = await HubProcess.StartAsync("hub1", settings);
        var second = await HubProcess.StartAsync("hub2", settings);
        try
        {
            await using var nginx = await NginxServer.StartAsync([first.Port, second.Port], RoundRobin);
            await ConnectAndReceiveAsync(nginx, settings.Databases[database].ConnectionString, database, "before");

            await second.KillAsync();
            var port = second.Port;
            await second.DisposeAsync();
            second = await HubProcess.StartAsync("hub2", settings, port);
            await ConnectAndReceiveAsync(nginx, settings.Databases[database].ConnectionString, database, "after");

            var split = SplitConnections(nginx.AccessLog);
            Assert.True(split > 0, $"no client negotiated with one instance and connected to the other:\n{nginx.AccessLog}");
        }
        finally
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
        }
    }

    /// <summary>nginx's own configuration without the affinity hash (so round-robin), logging which upstream served each request.</summary>
    private static string RoundRobin(string configuration)
    {
        Assert.Matches(HashLine(), configuration);
        var edited = HashLine().Replace(configuration, string.Empty);
        // The format is declared where the access log is, before its first use.
        return AccessLogLine().Replace(edited, "log_format upstreams '$$msec $$request_time $$request_method $$uri $$upstream_addr $$status';\n    access_log $1 upstreams;");
    }

    private static async Task ConnectAndReceiveAsync(NginxServer nginx, string connectionString, string database, string payload)
    {
        var clients = new List<RecordingClient>();
        try
        {
            for (var i = 0; i < 6; i++)
            {
                // Negotiation on (the default), one protocol or the other.
                var client = await RecordingClient.ConnectAsync(nginx.HubUrl, messagePack: i % 2 == 1);
                clients.Add(client);
                Assert.Equal([HubFixture.Events], await client.SubscribeAsync(database, HubFixture.Events));
            }

            await Postgres.NotifyAsync(connectionString, HubFixture.Events, payload);
            var received = await Task.WhenAll(clients.Select(static c => c.NotificationsAsync(1, TimeSpan.FromSeconds(15))));
            Assert.All(received, notifications => Assert.Equal(payload, Assert.Single(notifications).Payload));
        }
        finally
        {
            await Task.WhenAll(clients.Select(static c => c.DisposeAsync().AsTask()));
        }
    }

    /// <summary>How many negotiates were followed by a WebSocket request that another upstream served.</summary>
    /// <remarks>
    /// nginx logs a request when it ends, and a WebSocket's ends long after the negotiates that followed it, so the
    /// entries are put back in the order the requests started (the log time less the request's duration): each client
    /// negotiates, then opens its WebSocket, before the next one starts.
    /// </remarks>
    private static int SplitConnections(string accessLog)
    {
        var requests = accessLog.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(static line => line.Split(' '))
            .Where(static fields => fields.Length >= 6)
            .OrderBy(static fields => double.Parse(fields[0], CultureInfo.InvariantCulture) - double.Parse(fields[1], CultureInfo.InvariantCulture));
        var split = 0;
        string? negotiatedOn = null;
        foreach (var fields in requests)
        {
            var (method, uri, upstream, status) = (fields[2], fields[3], fields[4], fields[5]);
            if (uri.EndsWith("/negotiate", StringComparison.Ordinal))
            {
                negotiatedOn = upstream;
            }
            else if (method == "GET" && uri == "/hubs/notifications" && negotiatedOn is not null)
            {
                split += upstream != negotiatedOn && status == "101" ? 1 : 0;
                negotiatedOn = null;
            }
        }

        return split;
    }

    [GeneratedRegex(@"^\s*hash \$hub_affinity consistent;\s*$", RegexOptions.Multiline)]
    private static partial Regex HashLine();

    [GeneratedRegex(@"access_log (\S+);")]
    private static partial Regex AccessLogLine();
}
