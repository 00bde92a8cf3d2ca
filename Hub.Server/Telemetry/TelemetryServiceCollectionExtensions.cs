using Hub.Server.Hosting;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Hub.Server.Telemetry;

/// <summary>
/// Registers the hub's meter and activity source and wires OpenTelemetry: the hub's own, ASP.NET Core, Kestrel,
/// SignalR, runtime and Npgsql metrics and the hub's and ASP.NET Core's traces, exported to <c>/metrics</c> (Prometheus) and, when an OTLP endpoint is
/// configured with the standard <c>OTEL_EXPORTER_OTLP_*</c> variables, to that endpoint.
/// </summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>The built-in meters exported beside the hub's own.</summary>
    public static readonly IReadOnlyList<string> BuiltInMeters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Http.Connections",
        "Microsoft.AspNetCore.SignalR",
        // The .NET runtime's own meter (GC, thread pool, JIT, exceptions) since .NET 9.
        "System.Runtime",
    ];

    // SignalR's server-side activity per hub method invocation: the parent of the hub's Subscribe and Unsubscribe.
    private const string SignalRActivitySource = "Microsoft.AspNetCore.SignalR.Server";

    private static readonly string[] OtlpEndpointKeys =
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"];

    /// <summary>
    /// Adds the hub's telemetry, with <see cref="TelemetryOptions"/> bound from <c>Hub:Telemetry</c>. The observable
    /// instruments read an <see cref="IHubStateSource"/>, which the caller registers.
    /// </summary>
    public static IServiceCollection AddHubTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<TelemetryOptions, TelemetryOptionsValidator>(configuration, TelemetryOptions.SectionName);
        services.AddOptions<HubInstanceOptions>().Bind(configuration.GetSection(HubInstanceOptions.SectionName));
        services.AddSingleton<HubInstance>();
        services.AddSingleton<HubMetrics>();
        services.AddSingleton<HubStateMetrics>();
        services.AddSingleton<HubActivities>();
        services.AddSingleton<DeliveryTelemetry>();

        var prometheus = configuration.GetSection(TelemetryOptions.SectionName).GetValue(nameof(TelemetryOptions.PrometheusEndpoint), true);
        var serviceName = configuration["OTEL_SERVICE_NAME"];
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(string.IsNullOrWhiteSpace(serviceName) ? HubDiagnostics.ServiceName : serviceName, serviceVersion: HubMetrics.Version, autoGenerateServiceInstanceId: false)
                .AddDetector(static sp => new HubResourceDetector(sp.GetRequiredService<HubInstance>())))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(HubDiagnostics.Name)
                    .AddMeter([.. BuiltInMeters])
                    .AddNpgsqlInstrumentation()
                    // The observable instruments exist for as long as the meter provider that reads them.
                    .AddInstrumentation(static sp => sp.GetRequiredService<HubStateMetrics>());
                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }
            })
            // Npgsql's command spans are left out: every listener's keepalive probe would be a trace of its own.
            .WithTracing(tracing => tracing
                .AddSource(HubDiagnostics.Name, SignalRActivitySource)
                .AddAspNetCoreInstrumentation(static options => options.Filter = static context => !IsScrapeOrProbe(context.Request.Path)));

        if (OtlpEndpointKeys.Any(key => !string.IsNullOrWhiteSpace(configuration[key])))
        {
            telemetry.UseOtlpExporter();
        }

        return services;
    }

    /// <summary>Where Prometheus scrapes.</summary>
    public const string MetricsPath = "/metrics";

    // A scrape every few seconds and health probes would drown the traces that matter.
    private static bool IsScrapeOrProbe(PathString path)
        => path.StartsWithSegments(MetricsPath, StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);
}
