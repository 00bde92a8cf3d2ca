using Hub.Testing.Wire;

namespace Hub.Bench.Running;

/// <summary>What the <c>soak</c> mode runs; see <see cref="Usage"/> for the command line.</summary>
public sealed record SoakOptions
{
    public const string Usage = """
        Hub.Bench soak [options]  runs Hub.Server (dotnet Hub.Server.dll, Production) for a long time with many
                                  connections of which some are replaced every second, and steady NOTIFYs to a few
                                  clients that stay; samples the hub's memory, GC pauses, open handles, threads and
                                  connections, counts errors and says whether the figures stayed flat

          --duration S          seconds to run (default 1800)
          --connections N       connections held open, churning ones (default 5000)
          --churn N             connections closed and as many opened per second (default 50)
          --steady N            clients connected the whole run, counted for loss, duplicates and order (default 10)
          --rate R              NOTIFY per second on the one database (default 5)
          --sample-every S      seconds between samples (default 30)
          --warm-up S           seconds of samples left out of the verdict (default 120)
          --protocol P          json | messagepack (default json)
          --server-env K=V      setting for the started server (repeatable)
          --server-dll PATH     the Hub.Server.dll to start (default: the one next to the tool)
          --connection-string C  PostgreSQL to use (the database is created); default: start a throwaway one
          --database-prefix P   the database is P0 (default soak_)
          --channel C           NOTIFY channel (default bench)
          --label TEXT          a name for this run in the report
        """;

    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(30);

    public int Connections { get; init; } = 5000;

    public int Churn { get; init; } = 50;

    public int Steady { get; init; } = 10;

    public double Rate { get; init; } = 5;

    public TimeSpan SampleEvery { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan WarmUp { get; init; } = TimeSpan.FromMinutes(2);

    public WireProtocol Protocol { get; init; } = WireProtocol.Json;

    public IReadOnlyList<KeyValuePair<string, string>> ServerEnvironment { get; init; } = [];

    public string? ServerDll { get; init; }

    public string? ConnectionString { get; init; }

    public string DatabasePrefix { get; init; } = "soak_";

    public string Channel { get; init; } = "bench";

    public string? Label { get; init; }

    public string Database => DatabasePrefix + "0";

    /// <exception cref="ArgumentException">An unknown option or a bad value, named in the message.</exception>
    public static SoakOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new SoakOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            options = name switch
            {
                "--duration" => options with { Duration = TimeSpan.FromSeconds(BenchOptions.Number(name, Value())) },
                "--connections" => options with { Connections = BenchOptions.Positive(name, Value()) },
                "--churn" => options with { Churn = BenchOptions.Positive(name, Value()) },
                "--steady" => options with { Steady = BenchOptions.Positive(name, Value()) },
                "--rate" => options with { Rate = BenchOptions.Number(name, Value()) },
                "--sample-every" => options with { SampleEvery = TimeSpan.FromSeconds(BenchOptions.Number(name, Value())) },
                "--warm-up" => options with { WarmUp = TimeSpan.FromSeconds(BenchOptions.Number(name, Value())) },
                "--protocol" => options with { Protocol = BenchOptions.ParseProtocol(Value()) },
                "--server-env" => options with { ServerEnvironment = [.. options.ServerEnvironment, BenchOptions.EnvironmentSetting(Value())] },
                "--server-dll" => options with { ServerDll = Value() },
                "--connection-string" => options with { ConnectionString = Value() },
                "--database-prefix" => options with { DatabasePrefix = Value() },
                "--channel" => options with { Channel = Value() },
                "--label" => options with { Label = Value() },
                _ => throw new ArgumentException($"Unknown option '{name}'."),
            };
        }

        return options.Churn > options.Connections
            ? throw new ArgumentException($"--churn ({options.Churn}) must not be more than --connections ({options.Connections}).")
            : options;
    }
}
