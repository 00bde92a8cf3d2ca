using System.Diagnostics;
using System.Text;

namespace Hub.Tests.Infrastructure;

/// <summary>Runs a command to completion and fails with its output when it fails.</summary>
public static class ExternalProcess
{
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish in time.");
        }

        output.Append(await stdout).Append(await stderr);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {output}");
        }

        return output.ToString();
    }
}
