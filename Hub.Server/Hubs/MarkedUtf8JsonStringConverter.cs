using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hub.Server.Hubs;

/// <summary>
/// Reads JSON strings without refusing lone surrogates (<c>"\ud800"</c>) or invalid UTF-8: System.Text.Json would
/// throw while binding a hub method's arguments, and the caller would get SignalR's generic "Failed to invoke"
/// instead of the hub's own refusal. The text keeps the lone surrogates (and invalid bytes are marked by
/// <see cref="MarkedUtf8"/>), so the hub's checks refuse it with their message. Writes strings as usual.
/// </summary>
public sealed class MarkedUtf8JsonStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string, got {reader.TokenType}.");
        }

        var raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        return reader.ValueIsEscaped ? Unescape(raw) : MarkedUtf8.Decode(raw);
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }

    // The reader has checked the escapes' syntax; only their surrogates are left as they are.
    private static string Unescape(ReadOnlySpan<byte> raw)
    {
        var builder = new StringBuilder(raw.Length);
        while (!raw.IsEmpty)
        {
            var backslash = raw.IndexOf((byte)'\\');
            if (backslash < 0)
            {
                MarkedUtf8.AppendTo(builder, raw);
                break;
            }

            MarkedUtf8.AppendTo(builder, raw[..backslash]);
            var escape = raw[backslash + 1];
            if (escape == (byte)'u')
            {
                builder.Append((char)int.Parse(Encoding.ASCII.GetString(raw.Slice(backslash + 2, 4)), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                raw = raw[(backslash + 6)..];
                continue;
            }

            builder.Append(escape switch
            {
                (byte)'b' => '\b',
                (byte)'f' => '\f',
                (byte)'n' => '\n',
                (byte)'r' => '\r',
                (byte)'t' => '\t',
                _ => (char)escape, // \" \\ \/
            });
            raw = raw[(backslash + 2)..];
        }

        return builder.ToString();
    }
}
