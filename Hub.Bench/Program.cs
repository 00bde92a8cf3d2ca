using Hub.Bench.Reporting;
using Hub.Bench.Running;

if (args is ["worker", ..])
{
    return await WorkerMain.RunAsync();
}

if (args is ["summarize", var resultsFile])
{
    Console.Write(MarkdownSummary.FromJsonLines(await File.ReadAllLinesAsync(resultsFile)));
    return 0;
}

if (args is ["flood", .. var floodArgs])
{
    FloodOptions flood;
    try
    {
        flood = FloodOptions.Parse(floodArgs);
    }
    catch (ArgumentException ex)
    {
        Console.Error.WriteLine(ex.Message);
        Console.Error.WriteLine(FloodOptions.Usage);
        return 2;
    }

    using var stopFlood = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stopFlood.Cancel();
    };
    var floodResult = await new FloodRunner(flood, Console.Error).RunAsync(stopFlood.Token);
    Console.WriteLine(FloodReport.Table(floodResult));
    Console.WriteLine(FloodReport.JsonLine(floodResult));
    return floodResult.Flood.Lost == 0 ? 0 : 1;
}

if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var result = await new BenchRunner(options, Console.Error).RunAsync(cancel.Token);
Console.WriteLine(ReportWriter.Table(result));
Console.WriteLine(ReportWriter.JsonLine(result));
if (options.PlotPath is { } plot)
{
    await File.WriteAllTextAsync(plot, SvgPlot.Render(result));
    Console.Error.WriteLine($"latency chart: {plot}");
}

return result.Lost == 0 && result.Duplicated == 0 && result.ConnectFailed == 0 ? 0 : 1;
