using System.Globalization;

namespace Hub.Tests.Streams;

/// <summary>
/// How big the outbox fault suite runs: <c>scripts/fault-suite.sh quick</c> (fewer events, outages of seconds) or the
/// soak, <c>scripts/fault-suite.sh</c> (10,000 events, Redis down and a client's network cut for 10 s each).
/// </summary>
/// <param name="Events">Numbered events published through the whole run.</param>
/// <param name="EventsPerSecond">The publisher's steady rate.</param>
/// <param name="RedisOutage">How long redis-server stays down.</param>
/// <param name="NetworkCut">How long the proxied client's network forwards nothing.</param>
public sealed record FaultSuiteSize(int Events, int EventsPerSecond, TimeSpan RedisOutage, TimeSpan NetworkCut)
{
    /// <summary>The environment variable that selects the long run (<c>soak</c>); unset or <c>quick</c>, the short one.</summary>
    public const string Variable = "HUB_FAULT_SUITE";

    // The cut outlasts the clients' 5 s server timeout, so the proxied client always notices it and resumes.
    public static FaultSuiteSize Quick { get; } = new(2000, 60, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(7));

    // The faults, not the rate, set how long it runs: at 250 a second it takes about a minute, short enough for the
    // test command, and the publisher slows to a trickle near the end until the last fault is over.
    public static FaultSuiteSize Soak { get; } = new(10_000, 250, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));

    /// <summary>The size <see cref="Variable"/> asks for: <see cref="Soak"/> for <c>soak</c>, else <see cref="Quick"/>.</summary>
    public static FaultSuiteSize FromEnvironment()
        => string.Equals(Environment.GetEnvironmentVariable(Variable), "soak", StringComparison.OrdinalIgnoreCase) ? Soak : Quick;

    /// <summary>How long the whole run may take before the test gives up waiting for deliveries.</summary>
    public TimeSpan Deadline => TimeSpan.FromSeconds(60 + (2.0 * Events / EventsPerSecond)) + RedisOutage + NetworkCut;

    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"{Events} events at {EventsPerSecond}/s, Redis down {RedisOutage.TotalSeconds} s, network cut {NetworkCut.TotalSeconds} s");
}
