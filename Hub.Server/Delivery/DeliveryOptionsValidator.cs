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
        => options.MaxBufferedBytesPerConnection < MinimumBufferedBytes
            ? ValidateOptionsResult.Fail(
                $"{DeliveryOptions.SectionName}:{nameof(options.MaxBufferedBytesPerConnection)} must be at least {MinimumBufferedBytes} bytes.")
            : ValidateOptionsResult.Success;
}
