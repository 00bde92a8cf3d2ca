using System.Collections;
using System.Text.Json;
using Hub.Server.Hosting;

namespace Hub.Tests.Hosting;

public sealed class RuntimeEnvironmentDefaultsTests
{
    private const string PoolVariable = "DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION";

    [Fact]
    public void A_runtimeconfig_default_becomes_the_variable_unless_the_environment_sets_it()
    {
        var environment = new Hashtable { ["SET_BY_OPERATOR"] = "1" };
        var set = new Dictionary<string, string>();
        var applied = RuntimeEnvironmentDefaults.Apply(
            [
                KeyValuePair.Create(RuntimeEnvironmentDefaults.Prefix + "FROM_RUNTIMECONFIG", "8192"),
                KeyValuePair.Create(RuntimeEnvironmentDefaults.Prefix + "SET_BY_OPERATOR", "2"),
                KeyValuePair.Create("System.GC.Server", "true"),
                KeyValuePair.Create(RuntimeEnvironmentDefaults.Prefix, "no name"),
            ],
            environment,
            (variable, value) => set[variable] = value);

        Assert.Equal(["FROM_RUNTIMECONFIG"], applied);
        Assert.Equal(new Dictionary<string, string> { ["FROM_RUNTIMECONFIG"] = "8192" }, set);
    }

    [Fact]
    public void The_hub_ships_its_measured_runtime_settings_in_its_runtimeconfig()
    {
        var path = Path.Combine(Path.GetDirectoryName(typeof(RuntimeEnvironmentDefaults).Assembly.Location)!, "Hub.Server.runtimeconfig.json");
        using var runtimeConfig = JsonDocument.Parse(File.ReadAllText(path));
        var properties = runtimeConfig.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.Equal("8192", properties.GetProperty(RuntimeEnvironmentDefaults.Prefix + PoolVariable).ToString());
        Assert.Contains(PoolVariable, RuntimeEnvironmentDefaults.KnownVariables);

        // Workstation GC, concurrent: what `dotnet Hub.Server.dll` and the container run with, as measured.
        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.False(properties.TryGetProperty("System.GC.Concurrent", out var concurrent) && !concurrent.GetBoolean());
        Assert.False(properties.GetProperty("System.Runtime.TieredPGO").GetBoolean());
    }
}
