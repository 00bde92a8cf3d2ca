using System.Text.RegularExpressions;
using Hub.Server.Listening;
using Hub.Server.Telemetry;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Docs;

/// <summary>docs/observability.md says what the hub and the compose stack really do.</summary>
public sealed partial class ObservabilityDocsTests
{
    private static string Doc() => File.ReadAllText(RepositoryFiles.PathOf("docs", "observability.md"));

    [Fact]
    public void Every_listener_state_is_listed_for_hub_listeners()
    {
        var row = ListenersRow().Match(Doc());
        Assert.True(row.Success, "docs/observability.md has no hub_listeners row");
        var listed = StateName().Matches(row.Value).Select(static m => m.Groups["state"].Value).ToHashSet(StringComparer.Ordinal);

        Assert.All(Enum.GetValues<ListenerState>(), state => Assert.Contains(ListenerStateNames.Of(state), listed));
    }

    [Fact]
    public void The_doc_does_not_ask_to_add_what_compose_already_runs()
    {
        var doc = Doc();
        Assert.DoesNotContain("add these two services", doc, StringComparison.Ordinal);
        Assert.DoesNotContain("GF_AUTH_ANONYMOUS_ENABLED: \"true\"", doc, StringComparison.Ordinal);
        Assert.Contains("`docker-compose.yml` already runs both", doc, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\| `hub\.listeners` \(`hub_listeners`\).*$", RegexOptions.Multiline)]
    private static partial Regex ListenersRow();

    [GeneratedRegex(@"`(?<state>[a-z]+)`")]
    private static partial Regex StateName();
}
