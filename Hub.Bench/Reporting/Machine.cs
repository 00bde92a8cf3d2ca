namespace Hub.Bench.Reporting;

/// <summary>The machine a run measured on, as its report names it.</summary>
public static class Machine
{
    /// <summary>Cores, operating system and runtime.</summary>
    public static string Description => $"{Environment.ProcessorCount} cores, {Environment.OSVersion.VersionString}, .NET {Environment.Version}";
}
