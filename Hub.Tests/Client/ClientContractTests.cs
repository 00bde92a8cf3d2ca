using System.Reflection;
using Hub.Client;
using MessagePack;
using static Hub.Tests.Client.ClientContract;

namespace Hub.Tests.Client;

/// <summary>The .NET client's constants are the contract both clients share (clients/contract.json), and so are the hub's.</summary>
public sealed class ClientContractTests
{
    [Fact]
    [Scenario("contract")]
    public void Method_names_are_the_contracts_on_client_and_hub()
    {
        Assert.Equal(HubMethods.Subscribe, Name("hubMethods", "subscribe"));
        Assert.Equal(HubMethods.Unsubscribe, Name("hubMethods", "unsubscribe"));
        Assert.Equal(HubMethods.Publish, Name("hubMethods", "publish"));
        Assert.Equal(ClientMethods.Notification, Name("clientMethods", "notification"));
        Assert.Equal(ClientMethods.Resync, Name("clientMethods", "resync"));
        Assert.Equal(Hub.Server.Contracts.HubMethods.Subscribe, Name("hubMethods", "subscribe"));
        Assert.Equal(Hub.Server.Contracts.HubMethods.Unsubscribe, Name("hubMethods", "unsubscribe"));
        Assert.Equal(Hub.Server.Contracts.HubMethods.Publish, Name("hubMethods", "publish"));
        Assert.Equal(Hub.Server.Contracts.ClientMethods.Notification, Name("clientMethods", "notification"));
        Assert.Equal(Hub.Server.Contracts.ClientMethods.Resync, Name("clientMethods", "resync"));
        var hubMethods = typeof(Hub.Server.Hubs.NotificationHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Select(static m => m.Name);
        Assert.Subset(hubMethods.ToHashSet(), Contract.GetProperty("hubMethods").EnumerateObject().Select(static p => p.Value.GetString()!).ToHashSet());
    }

    [Fact]
    [Scenario("contract")]
    public void Envelope_fields_are_the_contracts_in_both_protocols_on_client_and_hub()
    {
        var envelopes = Contract.GetProperty("envelopes");
        Assert.Equal(Names(envelopes.GetProperty("notification")), KeysOf<HubNotification>());
        Assert.Equal(Names(envelopes.GetProperty("resync")), KeysOf<HubResync>());
        Assert.Equal(Names(envelopes.GetProperty("notification")), KeysOf<Hub.Server.Contracts.NotificationEnvelope>());
        Assert.Equal(Names(envelopes.GetProperty("resync")), KeysOf<Hub.Server.Contracts.ResyncEnvelope>());
    }

    [Fact]
    [Scenario("contract")]
    public void Resync_reasons_are_the_contracts_and_the_hub_sends_only_its_own()
    {
        var reasons = Contract.GetProperty("resyncReasons").EnumerateObject().ToDictionary(static p => p.Name, static p => p.Value.GetString()!);
        var exported = typeof(ResyncReasons).GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToDictionary(static f => JsonNamingPolicy(f.Name), static f => (string)f.GetRawConstantValue()!);
        Assert.Equal(reasons.OrderBy(static p => p.Key), exported.OrderBy(static p => p.Key));
        Assert.Equal(ResyncReasons.ClientReconnected, HubResync.ClientReconnected);

        var server = typeof(Hub.Server.Contracts.ResyncReasons).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(static f => (string)f.GetRawConstantValue()!).Order(StringComparer.Ordinal);
        Assert.Equal(Names(Contract.GetProperty("serverResyncReasons")).Select(key => reasons[key]).Order(StringComparer.Ordinal), server);
    }

    [Fact]
    [Scenario("contract")]
    public void Reconnect_waits_follow_the_contracts_rules()
    {
        var rules = Contract.GetProperty("reconnect");
        var first = TimeSpan.FromMilliseconds(rules.GetProperty("firstDelayMs").GetDouble());
        var max = TimeSpan.FromMilliseconds(rules.GetProperty("defaultMaxDelayMs").GetDouble());
        Assert.Equal("equal", rules.GetProperty("jitter").GetString());
        Assert.Equal(max, new NotificationHubClientOptions().MaxReconnectDelay);

        Assert.Equal(TimeSpan.Zero, ForeverRetryPolicy.DelayFor(0, max, static () => 0.999));
        for (var previous = 1; previous <= 40; previous++)
        {
            var ceiling = Math.Min(max.TotalMilliseconds, first.TotalMilliseconds * Math.Pow(2, Math.Min(previous - 1, 20)));
            Assert.Equal(ceiling / 2, ForeverRetryPolicy.DelayFor(previous, max, static () => 0).TotalMilliseconds, 3);
            Assert.Equal(ceiling, ForeverRetryPolicy.DelayFor(previous, max, static () => 1).TotalMilliseconds, 3);
        }

        Assert.Equal(max, ForeverRetryPolicy.DelayFor(long.MaxValue, max, static () => 1));
    }

    private static string[] KeysOf<T>()
        => [.. typeof(T).GetProperties().Select(static p => p.GetCustomAttribute<KeyAttribute>()?.StringKey).OfType<string>()];

    private static string JsonNamingPolicy(string name) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(name);
}
