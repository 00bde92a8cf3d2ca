namespace Hub.Server.Telemetry;

/// <summary>
/// Bound from <c>Hub</c>: how this instance names itself.
/// </summary>
public sealed class HubInstanceOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Hub";

    /// <summary>A stable name for this instance in stats, logs and telemetry; defaults to host name and process id.</summary>
    public string? InstanceId { get; set; }
}
