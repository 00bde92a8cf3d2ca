namespace Hub.Server.Configuration;

/// <summary>
/// The hub's process entry: runs the hub, or with <c>--check-config</c> only checks its configuration, or with
/// <c>--health-check</c> asks a running hub whether it is alive. A configuration mistake ends the process with one
/// line on standard error that names the key and exit code 2, never a stack trace; every key under <c>Hub:</c> that
/// no option knows is warned about.
/// </summary>
public static class HubCommandLine
{
    /// <summary>Validate the configuration, print the effective settings and exit.</summary>
    public const string CheckConfigSwitch = "--check-config";

    /// <summary>Exit 0 when the hub on this machine answers <c>/health/live</c>, 1 when not.</summary>
    public const string HealthCheckSwitch = "--health-check";

    /// <summary>The exit code of a configuration that is not valid.</summary>
    public const int ConfigurationErrorExitCode = 2;

    /// <summary>The exit code of a hub that could not start for another reason (its port is taken, say).</summary>
    public const int StartupFailureExitCode = 1;

    private const string LogCategory = "Hub.Server.Configuration";

    /// <summary>
    /// Runs the command <paramref name="args"/> asks for with the hub <paramref name="build"/> makes from the remaining
    /// arguments, and returns the process exit code. <paramref name="build"/> calls its second argument with the
    /// builder once the hub's services are added.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, Func<string[], Action<WebApplicationBuilder>, WebApplication> build)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(build);
        var checkConfig = args.Contains(CheckConfigSwitch, StringComparer.OrdinalIgnoreCase);
        // The switches are not configuration: left in, the command-line provider would read the next argument as their value.
        var hostArgs = args.Where(static a => !IsSwitch(a)).ToArray();
        if (args.Contains(HealthCheckSwitch, StringComparer.OrdinalIgnoreCase))
        {
            return await HealthProbe.RunAsync(hostArgs, Console.Out, Console.Error).ConfigureAwait(false);
        }

        WebApplication app;
        WebApplicationBuilder? builder = null;
        try
        {
            app = build(hostArgs, b => builder = b);
        }
        catch (Exception ex) when (ConfigurationErrors.TryDescribe(ex, out var messages))
        {
            // Mapping the hub already resolves some options, so the first mistake in those stops the build. Check
            // the rest on the services alone, so that one run still names every key to fix.
            var (errors, unknown) = builder is null ? (messages, []) : await CheckServicesAsync(builder, messages).ConfigureAwait(false);
            return checkConfig
                ? ConfigurationReport.Write(services: null, environment: null, errors, unknown, Console.Out, Console.Error)
                : ConfigurationFailed(errors);
        }

        await using (app.ConfigureAwait(false))
        {
            var unknown = UnknownSettings.Find(app.Configuration);
            var errors = ConfigurationValidation.Validate(app.Services);
            if (checkConfig)
            {
                return ConfigurationReport.Write(app.Services, app.Environment.EnvironmentName, errors, unknown, Console.Out, Console.Error);
            }

            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory);
            foreach (var setting in unknown)
            {
                if (setting.Suggestion is { } suggestion)
                {
                    ConfigurationLog.UnknownSettingWithSuggestion(logger, setting.Key, suggestion);
                }
                else
                {
                    ConfigurationLog.UnknownSetting(logger, setting.Key);
                }
            }

            if (errors.Count > 0)
            {
                return ConfigurationFailed(errors);
            }

            try
            {
                await app.RunAsync().ConfigureAwait(false);
                return 0;
            }
            catch (Exception ex) when (ConfigurationErrors.TryDescribe(ex, out var messages))
            {
                return ConfigurationFailed(messages);
            }
            catch (IOException ex)
            {
                // Kestrel could not bind ("address already in use"): the message says which address.
                await Console.Error.WriteLineAsync($"Notify Hub could not start: {ex.Message}").ConfigureAwait(false);
                return StartupFailureExitCode;
            }
        }
    }

    private static async Task<(IReadOnlyList<string> Errors, IReadOnlyList<UnknownSetting> Unknown)> CheckServicesAsync(WebApplicationBuilder builder, IReadOnlyList<string> found)
    {
        // Only on this failure path: the hub was not built, so this provider is the only one and holds no hub state.
        var services = builder.Services.BuildServiceProvider();
        await using var _ = services.ConfigureAwait(false);
        var errors = found.Concat(ConfigurationValidation.Validate(services)).Distinct(StringComparer.Ordinal).ToList();
        return (errors, UnknownSettings.Find(builder.Configuration));
    }

    private static bool IsSwitch(string argument)
        => string.Equals(argument, CheckConfigSwitch, StringComparison.OrdinalIgnoreCase)
            || string.Equals(argument, HealthCheckSwitch, StringComparison.OrdinalIgnoreCase);

    private static int ConfigurationFailed(IReadOnlyList<string> messages)
    {
        Console.Error.WriteLine($"Notify Hub configuration is not valid: {string.Join("; ", messages)}");
        return ConfigurationErrorExitCode;
    }
}
