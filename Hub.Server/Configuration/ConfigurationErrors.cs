using System.Reflection;
using Microsoft.Extensions.Options;

namespace Hub.Server.Configuration;

/// <summary>
/// Tells a configuration mistake (a failed options validation, a value the binder cannot convert) from any other
/// failure, and words it as the messages an operator reads: each already names its key.
/// </summary>
internal static class ConfigurationErrors
{
    /// <summary>The messages of <paramref name="exception"/> when it is a configuration mistake, each naming its key.</summary>
    public static bool TryDescribe(Exception exception, out IReadOnlyList<string> messages)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var found = new List<string>();
        var all = Flatten(exception).ToList();
        foreach (var error in all)
        {
            switch (error)
            {
                case OptionsValidationException validation:
                    found.AddRange(validation.Failures);
                    break;
                case InvalidOperationException when IsFromConfigurationBinder(error):
                    found.Add(error.Message);
                    break;
                default:
                    messages = [];
                    return false;
            }
        }

        messages = found.Distinct(StringComparer.Ordinal).ToList();
        return messages.Count > 0;
    }

    private static IEnumerable<Exception> Flatten(Exception exception) => exception switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Flatten),
        TargetInvocationException { InnerException: { } inner } => Flatten(inner),
        _ => [exception],
    };

    // The binder's conversion errors ("Failed to convert configuration value at 'Hub:...' to type ...") name the key
    // but carry no type of their own.
    private static bool IsFromConfigurationBinder(Exception exception)
        => exception.TargetSite?.DeclaringType?.Namespace?.StartsWith("Microsoft.Extensions.Configuration", StringComparison.Ordinal) == true;
}
