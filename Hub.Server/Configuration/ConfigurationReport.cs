namespace Hub.Server.Configuration;

/// <summary>
/// What <c>--check-config</c> prints: the effective <c>Hub:</c> settings with secrets masked on standard output,
/// then a warning per unknown key and an error per invalid one on standard error.
/// </summary>
internal static class ConfigurationReport
{
    /// <summary>Writes the report and returns the process exit code: 0 when valid, 2 when not.</summary>
    public static int Write(IServiceProvider? services, string? environment, IReadOnlyList<string> errors, IReadOnlyList<UnknownSetting> unknown, TextWriter output, TextWriter diagnostics)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(diagnostics);
        if (errors.Count == 0 && services is not null)
        {
            output.WriteLine($"Effective settings (environment {environment}; secrets masked):");
            foreach (var (key, value) in EffectiveSettings.Read(services))
            {
                output.WriteLine($"  {key} = {value}");
            }
        }

        foreach (var setting in unknown)
        {
            diagnostics.WriteLine($"warning: {setting.Describe()}");
        }

        foreach (var error in errors)
        {
            diagnostics.WriteLine($"error: {error}");
        }

        if (errors.Count > 0)
        {
            diagnostics.WriteLine($"The configuration is not valid ({errors.Count} error{(errors.Count == 1 ? "" : "s")}).");
            return HubCommandLine.ConfigurationErrorExitCode;
        }

        output.WriteLine(unknown.Count == 0
            ? "The configuration is valid."
            : $"The configuration is valid, with {unknown.Count} unknown key{(unknown.Count == 1 ? "" : "s")} ignored.");
        return 0;
    }
}
