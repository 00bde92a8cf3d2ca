using System.Collections.Concurrent;
using System.Text;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Hub.Tests.Telemetry;

public sealed class OtlpExportTests(SharedPostgres postgres)
{
    [Fact]
    public async Task Otlp_endpoint_from_the_standard_variables_receives_hub_metrics_and_traces()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        await using var scenario = await HubFixture.For(postgres.Server).Configure(settings =>
        {
            // The exporters' own settings, outside the hub's options.
            settings.Raw["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Url.ToString();
            settings.Raw["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            settings.Raw["OTEL_METRIC_EXPORT_INTERVAL"] = "200";
            settings.Raw["OTEL_BSP_SCHEDULE_DELAY"] = "200";
        }).StartAsync();

        await scenario.SubscribedClientAsync();

        // OTLP is protobuf; names and string attribute values travel as plain UTF-8 inside it.
        await Eventually.TrueAsync(
            () => collector.Received("/v1/metrics", "hub.subscriptions") && collector.Received("/v1/metrics", scenario.Database),
            TimeSpan.FromSeconds(15),
            "the hub's metrics reach the OTLP endpoint");
        await Eventually.TrueAsync(
            () => collector.Received("/v1/traces", "Subscribe") && collector.Received("/v1/traces", scenario.Database),
            TimeSpan.FromSeconds(15),
            "the Subscribe activity reaches the OTLP endpoint");
        Assert.True(collector.Received("/v1/metrics", "notify-hub"), "the resource names the service");
    }

    /// <summary>Accepts OTLP/HTTP exports on loopback and keeps their bodies.</summary>
    private sealed class OtlpReceiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, byte[] Body)> _exports = new();

        private OtlpReceiver(WebApplication app, Uri url)
        {
            _app = app;
            Url = url;
        }

        public Uri Url { get; }

        public static async Task<OtlpReceiver> StartAsync()
        {
            var url = new Uri($"http://127.0.0.1:{FreePort.Next()}");
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls(url.ToString());
            var app = builder.Build();
            var receiver = new OtlpReceiver(app, url);
            app.MapPost("/v1/{signal}", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body, context.RequestAborted);
                receiver._exports.Enqueue((context.Request.Path.Value!, body.ToArray()));
                context.Response.ContentType = "application/x-protobuf";
            });
            await app.StartAsync();
            return receiver;
        }

        public bool Received(string path, string text)
        {
            var needle = Encoding.UTF8.GetBytes(text);
            return _exports.Any(e => e.Path == path && e.Body.AsSpan().IndexOf(needle) >= 0);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
