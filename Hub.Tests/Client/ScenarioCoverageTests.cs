using System.Reflection;

namespace Hub.Tests.Client;

/// <summary>Every scenario of clients/scenarios.json has a .NET client test, and every marked test names a listed scenario.</summary>
public sealed class ScenarioCoverageTests
{
    [Fact]
    public void Every_scenario_has_a_test_and_every_marked_test_a_scenario()
    {
        var listed = ClientContract.Scenarios.EnumerateObject().Select(static p => p.Name).ToHashSet(StringComparer.Ordinal);
        var covered = typeof(ScenarioCoverageTests).Assembly.GetTypes()
            .Where(static t => t.Namespace == typeof(ScenarioCoverageTests).Namespace)
            .SelectMany(static t => t.GetMethods())
            .Where(static m => m.GetCustomAttribute<FactAttribute>() is not null)
            .SelectMany(static m => m.GetCustomAttributes<ScenarioAttribute>())
            .Select(static a => a.Id)
            .ToHashSet(StringComparer.Ordinal);

        Assert.Empty(listed.Except(covered));
        Assert.Empty(covered.Except(listed));
    }
}
