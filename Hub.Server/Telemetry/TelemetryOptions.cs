namespace Hub.Server.Telemetry;

/// <summary>
/// Bound from <c>Hub:Telemetry</c>: what the hub's metrics and traces carry. Where they go is configured
/// with the standard <c>OTEL_*</c> variables (see docs/observability.md).
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Hub:Telemetry";

    /// <summary>
    /// Whether metrics carry the database name. On by default; turn it off when the hub serves so many
    /// (tenant) databases that one series per database would overwhelm the metrics backend.
    /// </summary>
    public bool DatabaseNameAttribute { get; set; } = true;

    /// <summary>
    /// The fraction (0 to 1) of notifications traced from the listener to the group send. 0 by default:
    /// one activity per notification is too hot a path to trace unless asked.
    /// </summary>
    public double NotificationTraceRatio { get; set; }

    /// <summary>Whether <c>GET /metrics</c> serves the metrics in Prometheus text format.</summary>
    public bool PrometheusEndpoint { get; set; } = true;
}
