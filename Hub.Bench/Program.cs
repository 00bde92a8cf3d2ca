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

if (args is ["flood", "--help" or "-h"])
{
    Console.WriteLine(FloodOptions.Usage);
    return 0;
}

if (args is ["flood", .. var floodArgs])
{
    if (CommandLine.Parse(() => FloodOptions.Parse(floodArgs), FloodOptions.Usage) is not { } flood)
    {
        return CommandLine.UsageExitCode;
    }

    using var stopFlood = CommandLine.CancelOnCtrlC();
    var floodResult = await new FloodRunner(flood, Console.Error).RunAsync(stopFlood.Token);
    Console.WriteLine(FloodReport.Table(floodResult));
    Console.WriteLine(FloodReport.JsonLine(floodResult));
    return floodResult.Flood.Lost == 0 ? 0 : 1;
}

if (args is ["soak", "--help" or "-h"])
{
    Console.WriteLine(SoakOptions.Usage);
    return 0;
}

if (args is ["soak", .. var soakArgs])
{
    if (CommandLine.Parse(() => SoakOptions.Parse(soakArgs), SoakOptions.Usage) is not { } soak)
    {
        return CommandLine.UsageExitCode;
    }

    using var stopSoak = CommandLine.CancelOnCtrlC();
    var soakResult = await new SoakRunner(soak, Console.Error).RunAsync(stopSoak.Token);
    Console.WriteLine(SoakReport.Table(soakResult));
    Console.WriteLine(SoakReport.JsonLine(soakResult));
    return SoakVerdict.IsFlat(soakResult) ? 0 : 1;
}

if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

if (CommandLine.Parse(() => BenchOptions.Parse(args), BenchOptions.Usage) is not { } options)
{
    return CommandLine.UsageExitCode;
}

using var cancel = CommandLine.CancelOnCtrlC();

if (options.Mode == BenchMode.OutboxCatchUp)
{
    var catchUp = await new CatchUpRunner(options, Console.Error).RunAsync(cancel.Token);
    Console.WriteLine(ReportWriter.Table(catchUp));
    Console.WriteLine(ReportWriter.JsonLine(catchUp));
    return catchUp.Lost == 0 && catchUp.Duplicated == 0 ? 0 : 1;
}

if (options.Mode == BenchMode.OutboxLatency)
{
    var comparison = await new OutboxLatencyRunner(options, Console.Error).RunAsync(cancel.Token);
    foreach (var half in new[] { comparison.Notify, comparison.Outbox })
    {
        Console.WriteLine(ReportWriter.Table(half));
        Console.WriteLine(ReportWriter.JsonLine(half));
    }

    Console.WriteLine(ReportWriter.Comparison(comparison));
    return new[] { comparison.Notify, comparison.Outbox }.All(static r => r.Lost == 0 && r.Duplicated == 0 && r.ConnectFailed == 0) ? 0 : 1;
}

var result = await new BenchRunner(options, Console.Error).RunAsync(cancel.Token);
Console.WriteLine(ReportWriter.Table(result));
Console.WriteLine(ReportWriter.JsonLine(result));
if (options.PlotPath is { } plot)
{
    await File.WriteAllTextAsync(plot, SvgPlot.Render(result));
    Console.Error.WriteLine($"latency chart: {plot}");
}

return result.Lost == 0 && result.Duplicated == 0 && result.ConnectFailed == 0 ? 0 : 1;
