using Microsoft.Extensions.Options;

namespace Hub.Server.Telemetry;

/// <summary>
/// Validates <see cref="TelemetryOptions"/> at startup, naming the configuration key of every problem found.
/// </summary>
public sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
        => options.NotificationTraceRatio is >= 0 and <= 1
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{TelemetryOptions.SectionName}:{nameof(options.NotificationTraceRatio)} must be between 0 and 1.");
}
