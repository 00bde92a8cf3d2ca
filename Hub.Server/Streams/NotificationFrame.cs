using System.Text.Json;
using MessagePack;

namespace Hub.Server.Streams;

/// <summary>
/// Reads the database, channel and position out of one serialized <c>notification</c> invocation, as SignalR's JSON
/// or MessagePack hub protocol wrote it, so that a connection's held messages can be matched against a replay.
/// </summary>
/// <remarks>
/// Anything that is not a well-formed notification (another message, a ping, a resync) is reported as not one, and is
/// then never dropped. A payload cannot pass for the envelope's fields: both readers walk the message's structure.
/// </remarks>
internal readonly record struct NotificationFrame(string Database, string Channel, string? Position)
{
    private const byte JsonRecordSeparator = 0x1e;

    public static bool TryRead(ReadOnlyMemory<byte> message, out NotificationFrame frame)
    {
        frame = default;
        if (message.IsEmpty)
        {
            return false;
        }

        try
        {
            return message.Span[0] == (byte)'{' && message.Span[^1] == JsonRecordSeparator
                ? TryReadJson(message.Span[..^1], out frame)
                : TryReadMessagePack(message, out frame);
        }
        catch (Exception ex) when (ex is JsonException or MessagePackSerializationException or EndOfStreamException or InvalidOperationException)
        {
            return false;
        }
    }

    private static bool TryReadJson(ReadOnlySpan<byte> json, out NotificationFrame frame)
    {
        frame = default;
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        var isNotification = false;
        NotificationFrame? envelope = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("target"u8))
            {
                reader.Read();
                isNotification = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("notification"u8);
            }
            else if (reader.ValueTextEquals("arguments"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                envelope = ReadJsonEnvelope(ref reader);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        frame = envelope ?? default;
        return isNotification && envelope is not null;
    }

    private static NotificationFrame? ReadJsonEnvelope(ref Utf8JsonReader reader)
    {
        string? database = null;
        string? channel = null;
        string? position = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.ValueTextEquals("database"u8) ? 1 : reader.ValueTextEquals("channel"u8) ? 2 : reader.ValueTextEquals("position"u8) ? 3 : 0;
            reader.Read();
            switch (field)
            {
                case 1:
                    database = reader.GetString();
                    break;
                case 2:
                    channel = reader.GetString();
                    break;
                case 3:
                    position = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return database is null || channel is null ? null : new NotificationFrame(database, channel, position);
    }

    private static bool TryReadMessagePack(ReadOnlyMemory<byte> message, out NotificationFrame frame)
    {
        frame = default;

        // The message is prefixed with its length as a base-128 varint.
        var span = message.Span;
        var length = 0;
        var prefix = 0;
        while (true)
        {
            if (prefix >= 5 || prefix >= span.Length)
            {
                return false;
            }

            var b = span[prefix];
            length |= (b & 0x7f) << (7 * prefix);
            prefix++;
            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        if (length != span.Length - prefix)
        {
            return false;
        }

        // [type, headers, invocationId, target, arguments, streamIds?]
        var reader = new MessagePackReader(message[prefix..]);
        if (reader.ReadArrayHeader() < 5 || reader.ReadInt32() != 1)
        {
            return false;
        }

        reader.Skip();
        reader.Skip();
        if (reader.ReadString() != "notification" || reader.ReadArrayHeader() < 1)
        {
            return false;
        }

        string? database = null;
        string? channel = null;
        string? position = null;
        var fields = reader.ReadMapHeader();
        for (var i = 0; i < fields; i++)
        {
            switch (reader.ReadString())
            {
                case "database":
                    database = reader.ReadString();
                    break;
                case "channel":
                    channel = reader.ReadString();
                    break;
                case "position":
                    position = reader.TryReadNil() ? null : reader.ReadString();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (database is null || channel is null)
        {
            return false;
        }

        frame = new NotificationFrame(database, channel, position);
        return true;
    }
}
