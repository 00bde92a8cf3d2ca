using Microsoft.Extensions.Options;

namespace Hub.Server.Delivery;

/// <summary>
/// Validates <see cref="DeliveryOptions"/> at startup, naming the configuration key of every problem found.
/// </summary>
public sealed class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>
{
    /// <summary>The smallest bound accepted: below one full-size notification no slow client could ever catch up.</summary>
    public const long MinimumBufferedBytes = 16 * 1024;

    /// <summary>The shortest queue accepted: one envelope waiting behind the one being sent.</summary>
    public const int MinimumQueueLength = 2;

    /// <summary>The longest <see cref="DeliveryOptions.MaxQueueAge"/> accepted: later than this no push is worth sending.</summary>
    public static readonly TimeSpan MaximumQueueAge = TimeSpan.FromHours(1);

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

        if (options.MaxQueueLength < MinimumQueueLength)
        {
            failures.Add($"{DeliveryOptions.SectionName}:{nameof(options.MaxQueueLength)} must be at least {MinimumQueueLength} (was {options.MaxQueueLength}).");
        }

        if (options.MaxQueueAge <= TimeSpan.Zero || options.MaxQueueAge > MaximumQueueAge)
        {
            failures.Add($"{DeliveryOptions.SectionName}:{nameof(options.MaxQueueAge)} must be positive and at most {MaximumQueueAge} (was {options.MaxQueueAge}).");
        }

        if (options.ShutdownTimeout < TimeSpan.Zero || options.ShutdownTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{DeliveryOptions.SectionName}:{nameof(options.ShutdownTimeout)} must be between 00:00:00 and 00:10:00 (was {options.ShutdownTimeout}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
