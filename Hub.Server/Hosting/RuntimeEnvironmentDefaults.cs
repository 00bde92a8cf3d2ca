using System.Collections;

namespace Hub.Server.Hosting;

/// <summary>
/// Runtime settings that .NET reads only from environment variables (the shared array pool's size, for one), shipped
/// in the hub's <c>runtimeconfig.json</c> so that <c>dotnet Hub.Server.dll</c> runs as it was measured without a
/// wrapper script. Each <c>configProperties</c> entry named <see cref="Prefix"/> + a variable name becomes that
/// variable when the process starts, unless the environment already sets it: an operator's value always wins.
/// The project file sets the values (<c>RuntimeHostConfigurationOption</c>), next to the measurement that chose them.
/// </summary>
public static class RuntimeEnvironmentDefaults
{
    /// <summary>The prefix of the runtimeconfig properties that carry an environment variable's default.</summary>
    public const string Prefix = "Hub.Environment.";

    /// <summary>
    /// Sets every variable <paramref name="properties"/> names that <paramref name="environment"/> does not have. Call it
    /// first thing in <c>Main</c>: the runtime reads these variables once, on the first use of what they configure.
    /// </summary>
    /// <returns>The variables that were set.</returns>
    public static IReadOnlyList<string> Apply(IEnumerable<KeyValuePair<string, string>> properties, IDictionary environment, Action<string, string> setVariable)
    {
        ArgumentNullException.ThrowIfNull(properties);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(setVariable);
        var applied = new List<string>();
        foreach (var (name, value) in properties)
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal) || name.Length == Prefix.Length)
            {
                continue;
            }

            var variable = name[Prefix.Length..];
            if (environment.Contains(variable))
            {
                continue;
            }

            setVariable(variable, value);
            applied.Add(variable);
        }

        return applied;
    }

    /// <summary>Applies this process's runtimeconfig properties for <see cref="KnownVariables"/> to its environment.</summary>
    public static IReadOnlyList<string> ApplyToProcess()
    {
        // AppContext cannot list its entries, so the variables the hub may carry defaults for are named here.
        var properties = KnownVariables
            .Select(static variable => (Name: Prefix + variable, Value: AppContext.GetData(Prefix + variable) as string))
            .Where(static p => p.Value is not null)
            .Select(static p => KeyValuePair.Create(p.Name, p.Value!));
        return Apply(properties, Environment.GetEnvironmentVariables(), static (variable, value) => Environment.SetEnvironmentVariable(variable, value));
    }

    /// <summary>The environment-only runtime settings a runtimeconfig property can give a default to.</summary>
    public static IReadOnlyList<string> KnownVariables { get; } =
    [
        "DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION",
        "DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXPARTITIONCOUNT",
    ];
}
