using Microsoft.Extensions.Options;

namespace Hub.Server.Delivery;

/// <summary>
/// Validates <see cref="DeliveryOptions"/> at startup, naming the configuration key of every problem found.
/// </summary>
public sealed class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>
{
    /// <summary>The smallest bound accepted: below one full-size notification no slow client could ever catch up.</summary>
    public const long MinimumBufferedBytes = 16 * 1024;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DeliveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MaxBufferedBytesPerConnection < MinimumBufferedBytes)
        {
            failures.Add($"{DeliveryOptions.SectionName}:{nameof(options.MaxBufferedBytesPerConnection)} must be at least {MinimumBufferedBytes} bytes.");
        }
        else if (options.HardMaxBufferedBytesPerConnection < options.MaxBufferedBytesPerConnection)
        {
            failures.Add($"{DeliveryOptions.SectionName}:{nameof(options.HardMaxBufferedBytesPerConnection)} must be at least " +
                $"{DeliveryOptions.SectionName}:{nameof(options.MaxBufferedBytesPerConnection)} ({options.MaxBufferedBytesPerConnection} bytes).");
        }

        if (options.SlowConsumerTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{DeliveryOptions.SectionName}:{nameof(options.SlowConsumerTimeout)} must be positive.");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
