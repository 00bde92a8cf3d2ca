using Hub.Server.Telemetry;

namespace Hub.Server.Configuration;

internal static partial class ConfigurationLog
{
    [LoggerMessage(EventId = HubEventIds.UnknownSetting, EventName = "UnknownSetting", Level = LogLevel.Warning,
        Message = "Configuration key {Key} is not a known setting and is ignored.")]
    public static partial void UnknownSetting(ILogger logger, string key);

    [LoggerMessage(EventId = HubEventIds.UnknownSettingWithSuggestion, EventName = "UnknownSettingWithSuggestion", Level = LogLevel.Warning,
        Message = "Configuration key {Key} is not a known setting and is ignored; did you mean {Suggestion}?")]
    public static partial void UnknownSettingWithSuggestion(ILogger logger, string key, string suggestion);
}
