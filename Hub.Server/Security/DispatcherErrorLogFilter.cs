using Microsoft.Extensions.Options;

namespace Hub.Server.Security;

/// <summary>
/// Keeps SignalR's dispatcher from logging an error entry, with a stack trace, for every hub call that fails.
/// </summary>
/// <remarks>
/// <para>
/// The dispatcher logs every exception a hub method throws at Error, the hub's refusals (a
/// <see cref="Microsoft.AspNetCore.SignalR.HubException"/> the client is meant to get) included. A flood of refused
/// calls would then write a kilobyte of log per call whatever the hub's own log does. Its only Error entry is that
/// one, so this drops the category's Error and Critical entries and keeps the rest at the level configured for it;
/// <see cref="HubFailureLogFilter"/> logs the failures that are not refusals instead.
/// </para>
/// <para>
/// It runs after configuration (a post-configure) and adds a rule per provider at the category's full name, so that
/// no <c>Logging</c> section, provider-specific or not, can turn the entries back on. The level each rule keeps is the
/// one the configured rules would have chosen (wildcard rules are not considered).
/// </para>
/// </remarks>
internal sealed class DispatcherErrorLogFilter : IPostConfigureOptions<LoggerFilterOptions>
{
    /// <summary>The logging category of SignalR's <c>DefaultHubDispatcher&lt;THub&gt;</c>.</summary>
    public const string Category = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    public void PostConfigure(string? name, LoggerFilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var providers = options.Rules.Select(static r => r.ProviderName).Append(null).Distinct().ToList();
        foreach (var provider in providers)
        {
            var level = ConfiguredLevel(options, provider);
            options.Rules.Add(new LoggerFilterRule(provider, Category, level, static (_, _, level) => level < LogLevel.Error));
        }
    }

    // The rule the logger factory would pick for the category and this provider: a provider's own rules before the
    // general ones, then the longest matching category, the last one of equals.
    private static LogLevel? ConfiguredLevel(LoggerFilterOptions options, string? provider)
    {
        LoggerFilterRule? best = null;
        foreach (var rule in options.Rules)
        {
            if ((rule.ProviderName is not null && rule.ProviderName != provider) || !Matches(rule.CategoryName))
            {
                continue;
            }

            var moreSpecificProvider = rule.ProviderName is not null && best?.ProviderName is null;
            var lessSpecificProvider = rule.ProviderName is null && best?.ProviderName is not null;
            var shorterCategory = best?.CategoryName is not null && (rule.CategoryName?.Length ?? -1) < best.CategoryName.Length;
            if (best is null || moreSpecificProvider || (!lessSpecificProvider && !shorterCategory))
            {
                best = rule;
            }
        }

        return best is null ? options.MinLevel : best.LogLevel;
    }

    private static bool Matches(string? category)
        => category is null || (!category.Contains('*', StringComparison.Ordinal) && Category.StartsWith(category, StringComparison.OrdinalIgnoreCase));
}
