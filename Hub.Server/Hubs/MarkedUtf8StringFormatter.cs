using System.Buffers;
using MessagePack;
using MessagePack.Formatters;

namespace Hub.Server.Hubs;

/// <summary>
/// Reads MessagePack strings through <see cref="MarkedUtf8"/>, so that invalid UTF-8 in a hub method's argument
/// reaches the hub's checks as invalid text instead of being repaired with U+FFFD. Writes strings as usual.
/// </summary>
public sealed class MarkedUtf8StringFormatter : IMessagePackFormatter<string?>
{
    /// <summary>The one instance.</summary>
    public static readonly MarkedUtf8StringFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, string? value, MessagePackSerializerOptions options) => writer.Write(value);

    public string? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        var utf8 = reader.ReadStringSequence()!.Value;
        return utf8.IsSingleSegment ? MarkedUtf8.Decode(utf8.FirstSpan) : MarkedUtf8.Decode(utf8.ToArray());
    }
}
