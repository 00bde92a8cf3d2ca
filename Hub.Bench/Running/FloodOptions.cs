using Hub.Testing.Wire;

namespace Hub.Bench.Running;

/// <summary>What the <c>flood</c> mode measures; see <see cref="Usage"/> for the command line.</summary>
public sealed record FloodOptions
{
    public const string Usage = """
        Hub.Bench flood [options]  floods refused hub calls from several connections while one subscriber measures
                                   its latency, first without the flood, then with it; reports the hub's log lines,
                                   refused calls per second, the flooders' connections and the CPU of the hub,
                                   of this process and of the machine

          --flooders N          connections making refused calls as fast as the hub answers (default 4)
          --rate R              NOTIFY per second to the subscriber (default 50)
          --duration S          seconds of each phase, quiet then flood (default 10)
          --protocol P          json | messagepack (default json)
          --url U               an already running hub (its base URL or hub URL); default: start Hub.Server here
                                at log level Information and count the lines it writes
          --server-pid PID[,PID]  processes to read CPU of when --url is given
          --server-log FILE     the log file of the hub given by --url: the lines it gains during the flood are counted
          --server-env K=V      setting for the started server (repeatable), e.g. Hub__Limits__CallsPerSecond=50
          --server-dll PATH     the Hub.Server.dll to start (default: the one next to the tool), e.g. another build
                                of the hub to compare with this one under the same load
          --connection-string C  PostgreSQL to use (the database is created); default: start a throwaway one
          --database-prefix P   the subscriber's database is P0 (default flood_)
          --channel C           NOTIFY channel (default bench)
          --label TEXT          a name for this run in the report
        """;

    /// <summary>The database every flooding call asks for: never one the hub serves, so every call is refused.</summary>
    public const string RefusedDatabase = "flood_no_such_database";

    public int Flooders { get; init; } = 4;

    public double Rate { get; init; } = 50;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public WireProtocol Protocol { get; init; } = WireProtocol.Json;

    public Uri? Url { get; init; }

    public IReadOnlyList<int> ServerProcessIds { get; init; } = [];

    public string? ServerLog { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> ServerEnvironment { get; init; } = [];

    public string? ServerDll { get; init; }

    public string? ConnectionString { get; init; }

    public string DatabasePrefix { get; init; } = "flood_";

    public string Channel { get; init; } = "bench";

    public string? Label { get; init; }

    public string Database => DatabasePrefix + "0";

    /// <exception cref="ArgumentException">An unknown option or a bad value, named in the message.</exception>
    public static FloodOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new FloodOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            options = name switch
            {
                "--flooders" => options with { Flooders = BenchOptions.Positive(name, Value()) },
                "--rate" => options with { Rate = BenchOptions.Number(name, Value()) },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(BenchOptions.Number(name, Value())) },
                "--protocol" => options with { Protocol = BenchOptions.ParseProtocol(Value()) },
                "--url" => options with { Url = new Uri(Value()) },
                "--server-pid" => options with { ServerProcessIds = [.. Value().Split(',').Select(p => BenchOptions.Positive(name, p))] },
                "--server-log" => options with { ServerLog = Value() },
                "--server-dll" => options with { ServerDll = Value() },
                "--server-env" => options with { ServerEnvironment = [.. options.ServerEnvironment, BenchOptions.EnvironmentSetting(Value())] },
                "--connection-string" => options with { ConnectionString = Value() },
                "--database-prefix" => options with { DatabasePrefix = Value() },
                "--channel" => options with { Channel = Value() },
                "--label" => options with { Label = Value() },
                _ => throw new ArgumentException($"Unknown option '{name}'."),
            };
        }

        return options;
    }
}
