namespace Hub.Bench.Running;

/// <summary>What every mode of the tool does with its command line and Ctrl+C.</summary>
public static class CommandLine
{
    /// <summary>The exit code of a bad command line.</summary>
    public const int UsageExitCode = 2;

    /// <summary>Runs <paramref name="parse"/>; on a bad option writes its message and <paramref name="usage"/> to standard error and returns null.</summary>
    public static T? Parse<T>(Func<T> parse, string usage)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(parse);
        try
        {
            return parse();
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(usage);
            return null;
        }
    }

    /// <summary>A source cancelled by Ctrl+C, which then ends the run cleanly instead of killing the process.</summary>
    public static CancellationTokenSource CancelOnCtrlC()
    {
        var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return cancel;
    }
}
