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
    /// Runs the command <paramref name="args"/> asks for with the application <paramref name="build"/> makes from the
    /// remaining arguments and <paramref name="map"/> gives its endpoints, and returns the process exit code.
    /// </summary>
    /// <remarks>
    /// The configuration is checked between the two: mapping the hub already resolves options, and a mistake found
    /// there would stop the check before it had named every key.
    /// </remarks>
    public static async Task<int> RunAsync(string[] args, Func<string[], WebApplication> build, Action<WebApplication> map)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(map);
        var checkConfig = args.Contains(CheckConfigSwitch, StringComparer.OrdinalIgnoreCase);
        // The switches are not configuration: left in, the command-line provider would read the next argument as their value.
        var hostArgs = args.Where(static a => !IsSwitch(a)).ToArray();
        if (args.Contains(HealthCheckSwitch, StringComparer.OrdinalIgnoreCase))
        {
            return await HealthProbe.RunAsync(hostArgs, Console.Out, Console.Error).ConfigureAwait(false);
        }

        WebApplication app;
        try
        {
            app = build(hostArgs);
        }
        catch (Exception ex) when (ConfigurationErrors.TryDescribe(ex, out var messages))
        {
            // Building the services already resolves some options; without services there are no settings to show.
            return checkConfig
                ? ConfigurationReport.Write(services: null, environment: null, messages, [], Console.Out, Console.Error)
                : ConfigurationFailed(messages);
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
                map(app);
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

    private static bool IsSwitch(string argument)
        => string.Equals(argument, CheckConfigSwitch, StringComparison.OrdinalIgnoreCase)
            || string.Equals(argument, HealthCheckSwitch, StringComparison.OrdinalIgnoreCase);

    private static int ConfigurationFailed(IReadOnlyList<string> messages)
    {
        Console.Error.WriteLine($"Notify Hub configuration is not valid: {string.Join("; ", messages)}");
        return ConfigurationErrorExitCode;
    }
}
