namespace Hub.Testing;

/// <summary>Runs a command to completion and fails with its output when it fails.</summary>
public static class ExternalProcess
{
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var argumentList = arguments.ToArray();
        var command = $"{fileName} {string.Join(' ', argumentList)}";
        await using var process = ChildProcess.Start(command, fileName, argumentList, workingDirectory: workingDirectory);
        var exitCode = await process.WaitForExitAsync(timeout ?? TimeSpan.FromMinutes(1));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{command} exited with {exitCode}: {process.Output}");
        }

        return process.Output;
    }
}
