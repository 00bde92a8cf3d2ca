namespace Hub.Tests.Client;

/// <summary>Marks the test that covers a scenario of clients/scenarios.json, the list both clients' tests follow.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ScenarioAttribute(string id) : Attribute
{
    public string Id { get; } = id;
}
