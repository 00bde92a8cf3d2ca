using System.Text.Json;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Client;

/// <summary>clients/contract.json and clients/scenarios.json, as the .NET tests read them.</summary>
public static class ClientContract
{
    public static JsonElement Contract { get; } = Read("contract.json");

    public static JsonElement Scenarios { get; } = Read("scenarios.json").GetProperty("scenarios");

    public static string Name(string group, string key) => Contract.GetProperty(group).GetProperty(key).GetString()!;

    public static string[] Names(JsonElement element) => [.. element.EnumerateArray().Select(static e => e.GetString()!)];

    private static JsonElement Read(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.PathOf("clients", file)));
        return document.RootElement.Clone();
    }
}
