using System.Text.Json;
using System.Text.RegularExpressions;
using Hub.Server.Telemetry;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Tests.Telemetry;

public sealed partial class MetricsEndpointTests(SharedPostgres postgres)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Metrics_endpoint_serves_the_hub_metrics_and_every_metric_the_dashboard_queries()
    {
        var instanceId = $"hub-{Guid.NewGuid():N}";
        await using var scenario = await HubFixture.For(postgres.Server).Configure(s => s.InstanceId = instanceId).StartAsync();
        var client = await scenario.SubscribedClientAsync();
        await scenario.NotifyAsync(HubFixture.Events, "hello");
        await client.NextNotificationAsync();
        await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync("no_such_database", null));
        await Postgres.TerminateAsync(scenario.Postgres.ConnectionString(), (await scenario.ListenerPidsAsync()).Single());
        await client.NextResyncAsync();
        using var http = new HttpClient { BaseAddress = scenario.Hub.BaseUrl };
        var database = $"hub_database=\"{scenario.Database}\"";

        // The exporter caches a scrape briefly, the resync's send completes after the client has it, and the
        // listener LISTENs again just after queueing the resync.
        string scrape = string.Empty;
        await Eventually.TrueAsync(
            async () =>
            {
                using var response = await http.GetAsync(TelemetryServiceCollectionExtensions.MetricsPath, TestContext.Current.CancellationToken);
                Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
                scrape = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                var current = Samples(scrape);
                return current.Any(s => s.Name == "hub_resyncs_sent_total" && s.Line.Contains(database, StringComparison.Ordinal) && s.Value == 1)
                    && current.Any(s => s.Name == "hub_listeners" && s.Line.Contains(database, StringComparison.Ordinal) && s.Line.Contains("hub_listener_state=\"listening\"", StringComparison.Ordinal) && s.Value == 1);
            },
            Timeout,
            "the scrape shows the resync and the listener listening again");
        var samples = Samples(scrape);

        // The meter provider listens to every meter named NotifyHub in the process, and the hubs of other tests run
        // in this one: only series of this test's database can be checked by value (HubMetricsTests check the rest).
        Assert.Contains(samples, s => s.Name == "hub_connections" && !s.Line.Contains("hub_database", StringComparison.Ordinal));
        Assert.Contains(samples, s => s.Name == "hub_subscriptions" && s.Line.Contains(database, StringComparison.Ordinal) && s.Value == 1);
        Assert.Contains(samples, s => s.Name == "hub_listeners" && s.Line.Contains(database, StringComparison.Ordinal) && s.Line.Contains("hub_listener_state=\"listening\"", StringComparison.Ordinal) && s.Value == 1);
        Assert.Contains(samples, s => s.Name == "hub_notifications_received_total" && s.Line.Contains(database, StringComparison.Ordinal) && s.Value == 1);
        Assert.Contains(samples, s => s.Name == "hub_listener_reconnects_total" && s.Line.Contains(database, StringComparison.Ordinal) && s.Value == 1);
        Assert.Contains(samples, s => s.Name == "hub_messages_sent_total" && s.Line.Contains(database, StringComparison.Ordinal) && s.Line.Contains("hub_message_type=\"notification\"", StringComparison.Ordinal) && s.Value == 1);
        Assert.Contains(samples, s => s.Name == "hub_fanout_duration_seconds_count" && s.Line.Contains(database, StringComparison.Ordinal) && s.Value == 1);
        Assert.Contains(samples, s => s.Name == "hub_notification_payload_size_bytes_sum" && s.Line.Contains(database, StringComparison.Ordinal) && s.Value == 5);
        Assert.Contains(samples, s => s.Name == "hub_calls_rejected_total" && s.Line.Contains("hub_rejection_reason=\"database_not_available\"", StringComparison.Ordinal));
        Assert.Contains("# TYPE hub_fanout_duration_seconds histogram", scrape, StringComparison.Ordinal);
        var target = Assert.Single(samples, s => s.Name == "target_info").Line;
        Assert.Contains($"service_instance_id=\"{instanceId}\"", target, StringComparison.Ordinal);
        Assert.Contains("service_name=\"notify-hub\"", target, StringComparison.Ordinal);
        Assert.Contains("service_version=\"", target, StringComparison.Ordinal);

        var scraped = samples.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var queried = DashboardMetricNames();
        Assert.NotEmpty(queried);
        var missing = queried.Where(name => !scraped.Contains(name)).ToArray();
        Assert.True(missing.Length == 0, $"The dashboard queries metrics that /metrics does not serve: {string.Join(", ", missing)}");
    }

    [Fact]
    public async Task Metrics_endpoint_can_be_turned_off()
    {
        await using var scenario = await HubFixture.For(postgres.Server).Configure(s => s.Telemetry.PrometheusEndpoint = false).StartAsync();
        using var http = new HttpClient { BaseAddress = scenario.Hub.BaseUrl };

        using var response = await http.GetAsync(TelemetryServiceCollectionExtensions.MetricsPath, TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public void Dashboard_query_parser_finds_metric_names_and_nothing_else()
    {
        Assert.Equal(
            ["hub_fanout_duration_seconds_bucket"],
            MetricNames("histogram_quantile(0.99, sum by (le, hub_database) (rate(hub_fanout_duration_seconds_bucket{instance=~\"$instance\", hub_database=~\"$database\"}[$__rate_interval])))"));
        Assert.Equal(
            ["hub_listeners", "kestrel_active_connections"],
            MetricNames("sum without (instance) (hub_listeners{hub_listener_state=\"listening\"}) or on() kestrel_active_connections > bool 0"));
        Assert.Equal(["hub_subscriptions"], MetricNames(LabelValues().Match("label_values(hub_subscriptions{instance=~\"$instance\"}, hub_database)").Groups[1].Value));
    }

    private sealed record Sample(string Name, double Value, string Line);

    private static List<Sample> Samples(string scrape)
        => scrape.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => new Sample(
                SampleName().Match(line).Value,
                double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture),
                line))
            .ToList();

    /// <summary>Every metric name queried by every panel of every dashboard under grafana/dashboards.</summary>
    private static SortedSet<string> DashboardMetricNames()
    {
        var folder = Path.Combine(RepositoryRoot(), "grafana", "dashboards");
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(folder, "*.json"))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var expression in Expressions(document.RootElement))
            {
                names.UnionWith(MetricNames(expression));
            }
        }

        return names;
    }

    private static IEnumerable<string> Expressions(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name is "expr" or "definition" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        // A template variable's definition is label_values(selector, label): the selector is the query.
                        var expression = property.Value.GetString()!;
                        var labelValues = LabelValues().Match(expression);
                        yield return labelValues.Success ? labelValues.Groups[1].Value : expression;
                    }
                    else
                    {
                        foreach (var expression in Expressions(property.Value))
                        {
                            yield return expression;
                        }
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var expression in Expressions(item))
                    {
                        yield return expression;
                    }
                }

                break;
        }
    }

    /// <summary>The metric names in a PromQL expression: what is left after label matchers, ranges, grouping clauses, strings and functions.</summary>
    private static SortedSet<string> MetricNames(string expression)
    {
        var stripped = Grouping().Replace(expression, " ");
        stripped = Braces().Replace(stripped, " ");
        stripped = Brackets().Replace(stripped, " ");
        stripped = Strings().Replace(stripped, " ");
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match match in Identifier().Matches(stripped))
        {
            if (!Keywords.Contains(match.Value))
            {
                names.Add(match.Value);
            }
        }

        return names;
    }

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan",
    };

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HubSolution.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (HubSolution.sln) was not found above the test binaries.");
    }

    [GeneratedRegex(@"^label_values\((.*),\s*\w+\)$")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SampleName();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Brackets();

    [GeneratedRegex("\"[^\"]*\"")]
    private static partial Regex Strings();

    // A name not followed by '(' (a function) and not part of a number.
    [GeneratedRegex(@"(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()")]
    private static partial Regex Identifier();
}
