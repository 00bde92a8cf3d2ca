using Microsoft.Extensions.Options;

namespace Hub.Server.Listening;

/// <summary>
/// Validates <see cref="ListenerOptions"/> at startup, naming the configuration key of every problem found.
/// </summary>
public sealed class ListenerOptionsValidator : IValidateOptions<ListenerOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ListenerOptions options)
    {
        var failures = new List<string>();
        RequirePositive(options.SubscribeTimeout, nameof(options.SubscribeTimeout), failures);
        RequirePositive(options.ReconnectInitialDelay, nameof(options.ReconnectInitialDelay), failures);
        RequirePositive(options.ReconnectMaxDelay, nameof(options.ReconnectMaxDelay), failures);
        RequirePositive(options.KeepAliveInterval, nameof(options.KeepAliveInterval), failures);
        RequirePositive(options.KeepAliveTimeout, nameof(options.KeepAliveTimeout), failures);
        if (options.IdleGracePeriod < TimeSpan.Zero)
        {
            failures.Add($"{ListenerOptions.SectionName}:{nameof(options.IdleGracePeriod)} must not be negative.");
        }

        if (options.ReconnectMaxDelay < options.ReconnectInitialDelay)
        {
            failures.Add($"{ListenerOptions.SectionName}:{nameof(options.ReconnectMaxDelay)} must not be shorter than {nameof(options.ReconnectInitialDelay)}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void RequirePositive(TimeSpan value, string key, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{ListenerOptions.SectionName}:{key} must be greater than zero.");
        }
    }
}
