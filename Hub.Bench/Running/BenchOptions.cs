using System.Globalization;
using Hub.Testing.Wire;

namespace Hub.Bench.Running;

/// <summary>What to measure; see <see cref="Usage"/> for the command line.</summary>
public sealed record BenchOptions
{
    public const string Usage = """
        Hub.Bench [options]     measures the hub: connect, idle memory, NOTIFY-to-client latency, loss
        Hub.Bench summarize FILE  prints the RESULT lines collected in FILE as a Markdown table
        Hub.Bench flood [options]  what refused calls cost the hub (Hub.Bench flood --help)

          --mode M              notify (default) | outbox-publish: rows through notify_hub.publish from --writers
                                connections, their rate and delivery | outbox-latency: the same load on a plain
                                NOTIFY database, then on an outbox database, on one hub | outbox-catchup: a client
                                --catch-up rows behind resumes with SubscribeFrom
          --writers W           publishing connections per database in the outbox modes (default 8)
          --rows-per-commit K   rows (in notify mode NOTIFYs) each transaction publishes, in one statement; --rate
                                still counts rows, not commits (default 1; not in outbox-catchup)
          --channels C          channels per database: the subscribers of each database take them in turn, each
                                commit goes to the next one, and each channel numbers its rows from 0; with C > 1
                                they are named CHANNEL_0 .. CHANNEL_(C-1), which a hub given with --url must allow
                                (default 1: CHANNEL; not in outbox-catchup)
          --catch-up N          rows the resuming client is behind in outbox-catchup (default 100000)

          --connections N       subscriber connections (default 1000)
          --processes P         child processes holding them; 0 = this process (default: N/2000 rounded up, at least 1)
          --databases D         databases the connections are spread over (default 1)
          --rate R              NOTIFY (or outbox rows) per second per database; 0 = idle run (default 10)
          --duration S          seconds of publishing (default 10)
          --drain S             give up waiting for deliveries after S seconds without progress (default 5)
          --steady-after S      also report the latency of notifications sent after the first S seconds (default 2)
          --idle S              seconds to settle before reading idle memory (default 3)
          --payload B           NOTIFY payload length in characters (default 64)
          --protocol P          json | messagepack (default json)
          --connect-concurrency C  connects in flight per process (default 100)
          --url U               an already running hub (its base URL or hub URL); default: start Hub.Server here
          --server-pid PID[,PID]  processes to read CPU and memory of when --url is given
          --server-env K=V      setting for the started server (repeatable), e.g. DOTNET_gcServer=0
          --connection-string C  PostgreSQL to use (databases bench_0.. are created); default: start a throwaway one
          --database-prefix P   database names (default bench_)
          --channel C           NOTIFY channel, or the channels' common name with --channels (default bench)
          --plot FILE.svg       write latency over time as an SVG chart
          --label TEXT          a name for this run in the report
        """;

    public BenchMode Mode { get; init; } = BenchMode.Notify;

    public int Writers { get; init; } = 8;

    public int CatchUp { get; init; } = 100_000;

    /// <summary>Notifications each publishing transaction sends, in one statement.</summary>
    public int RowsPerCommit { get; init; } = 1;

    /// <summary>Channels per database, each with its own subscribers and its own sequence numbers.</summary>
    public int Channels { get; init; } = 1;

    /// <summary>Whether the databases of this run are outbox databases published through <c>notify_hub.publish</c>.</summary>
    public bool Outbox => Mode is BenchMode.OutboxPublish or BenchMode.OutboxCatchUp;

    /// <summary>Publishing connections per database: one for plain NOTIFY, <see cref="Writers"/> for an outbox.</summary>
    public int EffectiveWriters => Outbox ? Writers : 1;

    public int Connections { get; init; } = 1000;

    public int? Processes { get; init; }

    public int Databases { get; init; } = 1;

    public double Rate { get; init; } = 10;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Where the steady state starts: the first sends on thousands of fresh connections and the runtime's warm-up
    /// make the first seconds of a run slower than the rest.
    /// </summary>
    public TimeSpan SteadyAfter { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan Idle { get; init; } = TimeSpan.FromSeconds(3);

    public int PayloadLength { get; init; } = 64;

    public WireProtocol Protocol { get; init; } = WireProtocol.Json;

    public int ConnectConcurrency { get; init; } = 100;

    public Uri? Url { get; init; }

    public IReadOnlyList<int> ServerProcessIds { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> ServerEnvironment { get; init; } = [];

    public string? ConnectionString { get; init; }

    public string DatabasePrefix { get; init; } = "bench_";

    public string Channel { get; init; } = "bench";

    public string? PlotPath { get; init; }

    public string? Label { get; init; }

    /// <summary>The process count in effect: about 2,000 connections each keeps every process far from its open-file limit.</summary>
    public int EffectiveProcesses => Processes ?? Math.Max(1, (Connections + 1999) / 2000);

    public IReadOnlyList<string> DatabaseNames => [.. Enumerable.Range(0, Databases).Select(i => DatabasePrefix + i.ToString(CultureInfo.InvariantCulture))];

    /// <summary>
    /// <see cref="Channel"/> itself for one channel, else <see cref="Channel"/>_0 to <see cref="Channel"/>_(C-1): an
    /// underscore, since the hub accepts only PostgreSQL identifiers as channel names.
    /// </summary>
    public IReadOnlyList<string> ChannelNames
        => Channels == 1 ? [Channel] : [.. Enumerable.Range(0, Channels).Select(i => string.Create(CultureInfo.InvariantCulture, $"{Channel}_{i}"))];

    /// <summary>What the publisher sends to each database in this run.</summary>
    public PublishLoad Load => new(ChannelNames, Rate, Duration, PayloadLength, Outbox, EffectiveWriters, RowsPerCommit);

    /// <exception cref="ArgumentException">An unknown option or a bad value, named in the message.</exception>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new BenchOptions();
        var environment = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            options = name switch
            {
                "--mode" => options with { Mode = ParseMode(Value()) },
                "--writers" => options with { Writers = Positive(name, Value()) },
                "--catch-up" => options with { CatchUp = Positive(name, Value()) },
                "--rows-per-commit" => options with { RowsPerCommit = Positive(name, Value()) },
                "--channels" => options with { Channels = Positive(name, Value()) },
                "--connections" => options with { Connections = Positive(name, Value()) },
                "--processes" => options with { Processes = NonNegative(name, Value()) },
                "--databases" => options with { Databases = Positive(name, Value()) },
                "--rate" => options with { Rate = Number(name, Value()) },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(Number(name, Value())) },
                "--drain" => options with { Drain = TimeSpan.FromSeconds(Number(name, Value())) },
                "--steady-after" => options with { SteadyAfter = TimeSpan.FromSeconds(Number(name, Value())) },
                "--idle" => options with { Idle = TimeSpan.FromSeconds(Number(name, Value())) },
                "--payload" => options with { PayloadLength = NonNegative(name, Value()) },
                "--protocol" => options with { Protocol = ParseProtocol(Value()) },
                "--connect-concurrency" => options with { ConnectConcurrency = Positive(name, Value()) },
                "--url" => options with { Url = new Uri(Value()) },
                "--server-pid" => options with { ServerProcessIds = [.. Value().Split(',').Select(p => Positive(name, p))] },
                "--server-env" => AddEnvironment(options, environment, Value()),
                "--connection-string" => options with { ConnectionString = Value() },
                "--database-prefix" => options with { DatabasePrefix = Value() },
                "--channel" => options with { Channel = Value() },
                "--plot" => options with { PlotPath = Value() },
                "--label" => options with { Label = Value() },
                _ => throw new ArgumentException($"Unknown option '{name}'."),
            };
        }

        return options.Mode == BenchMode.OutboxCatchUp && (options.RowsPerCommit != 1 || options.Channels != 1)
            ? throw new ArgumentException("--rows-per-commit and --channels do not apply to --mode outbox-catchup, which commits a thousand rows per transaction on one channel.")
            : options;
    }

    private static BenchOptions AddEnvironment(BenchOptions options, List<KeyValuePair<string, string>> environment, string setting)
    {
        environment.Add(EnvironmentSetting(setting));
        return options with { ServerEnvironment = [.. environment] };
    }

    /// <summary>A <c>--server-env KEY=VALUE</c> setting.</summary>
    internal static KeyValuePair<string, string> EnvironmentSetting(string setting)
    {
        var equals = setting.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new ArgumentException($"--server-env expects KEY=VALUE, got '{setting}'.");
        }

        return new(setting[..equals], setting[(equals + 1)..]);
    }

    private static BenchMode ParseMode(string value) => value.ToUpperInvariant() switch
    {
        "NOTIFY" => BenchMode.Notify,
        "OUTBOX-PUBLISH" => BenchMode.OutboxPublish,
        "OUTBOX-LATENCY" => BenchMode.OutboxLatency,
        "OUTBOX-CATCHUP" => BenchMode.OutboxCatchUp,
        _ => throw new ArgumentException($"--mode must be notify, outbox-publish, outbox-latency or outbox-catchup, got '{value}'."),
    };

    internal static WireProtocol ParseProtocol(string value) => value.ToUpperInvariant() switch
    {
        "JSON" => WireProtocol.Json,
        "MESSAGEPACK" or "MSGPACK" => WireProtocol.MessagePack,
        _ => throw new ArgumentException($"--protocol must be json or messagepack, got '{value}'."),
    };

    internal static double Number(string name, string value)
        => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= 0
            ? number
            : throw new ArgumentException($"{name} must be a non-negative number, got '{value}'.");

    internal static int NonNegative(string name, string value)
        => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= 0
            ? number
            : throw new ArgumentException($"{name} must be a non-negative integer, got '{value}'.");

    internal static int Positive(string name, string value)
        => NonNegative(name, value) is > 0 and var number ? number : throw new ArgumentException($"{name} must be greater than zero, got '{value}'.");
}
