using OpenTelemetry.Resources;

namespace Hub.Server.Telemetry;

/// <summary>
/// Adds <c>service.instance.id</c> (the hub's instance id, as <c>/api/stats</c> reports it) to the telemetry resource.
/// </summary>
internal sealed class HubResourceDetector(HubInstance instance) : IResourceDetector
{
    public Resource Detect() => new([new KeyValuePair<string, object>("service.instance.id", instance.Id)]);
}
