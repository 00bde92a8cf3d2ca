using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hub.Bench.Running;

/// <summary>The JSON settings of everything the bench writes: between its processes and in its report line.</summary>
public static class BenchJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
