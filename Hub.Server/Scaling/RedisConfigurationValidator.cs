using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hub.Server.Scaling;

/// <summary>
/// Fails startup on a <c>Hub:Redis</c> the Redis client cannot parse, naming the key, instead of failing on the
/// first hub connection with the client's own message.
/// </summary>
public sealed class RedisConfigurationValidator : IValidateOptions<ScaleOutOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ScaleOutOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Redis))
        {
            return ValidateOptionsResult.Success;
        }

        return TryParse(options.Redis, out var error) is null
            ? ValidateOptionsResult.Fail($"{ScaleOutOptions.RedisKey}: '{options.Redis}' {error}")
            : ValidateOptionsResult.Success;
    }

    /// <summary>Parses a Redis configuration string; null, with the reason, when it is unusable.</summary>
    public static ConfigurationOptions? TryParse(string configuration, out string? error)
    {
        try
        {
            var parsed = ConfigurationOptions.Parse(configuration);
            error = parsed.EndPoints.Count == 0 ? "names no Redis endpoint (expected host:port)." : null;
            return error is null ? parsed : null;
        }
        catch (ArgumentException ex)
        {
            error = $"is not a valid Redis configuration: {ex.Message}";
            return null;
        }
    }
}
