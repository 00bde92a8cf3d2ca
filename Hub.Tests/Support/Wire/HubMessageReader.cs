using System.Text;
using System.Text.Json;
using MessagePack;

namespace Hub.Testing.Wire;

/// <summary>
/// Reads one hub message of either protocol without building objects: the bench only needs the notification
/// payload, and the result of its own invocations.
/// </summary>
internal static class HubMessageReader
{
    private static ReadOnlySpan<byte> NotificationTarget => "notification"u8;

    private static ReadOnlySpan<byte> ResyncTarget => "resync"u8;

    private static ReadOnlySpan<byte> PayloadKey => "payload"u8;

    /// <summary>What a message was, for the connection's own bookkeeping.</summary>
    internal readonly record struct Outcome(HubMessageKind Kind, string? InvocationId, string? Error);

    /// <summary>Finds the end of the first complete message in <paramref name="buffer"/>: (start of body, body length, total length), or false.</summary>
    public static bool TryFrame(WireProtocol protocol, ReadOnlySpan<byte> buffer, out int bodyStart, out int bodyLength, out int consumed)
    {
        if (protocol == WireProtocol.Json)
        {
            var end = buffer.IndexOf((byte)0x1E);
            bodyStart = 0;
            bodyLength = end;
            consumed = end + 1;
            return end >= 0;
        }

        // MessagePack messages are prefixed with their length as a base-128 varint of at most 5 bytes.
        var length = 0;
        for (var i = 0; i < Math.Min(buffer.Length, 5); i++)
        {
            length |= (buffer[i] & 0x7F) << (7 * i);
            if ((buffer[i] & 0x80) == 0)
            {
                bodyStart = i + 1;
                bodyLength = length;
                consumed = bodyStart + length;
                return buffer.Length >= consumed;
            }
        }

        bodyStart = bodyLength = consumed = 0;
        return false;
    }

    public static Outcome Dispatch(WireProtocol protocol, ReadOnlyMemory<byte> body, IHubMessageSink? sink)
        => protocol == WireProtocol.Json ? DispatchJson(body.Span, sink) : DispatchMessagePack(body, sink);

    private static Outcome DispatchJson(ReadOnlySpan<byte> body, IHubMessageSink? sink)
    {
        var reader = new Utf8JsonReader(body);
        var kind = 0;
        string? invocationId = null;
        string? error = null;
        var target = Target.Other;
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                kind = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("target"u8))
            {
                reader.Read();
                target = reader.ValueTextEquals(NotificationTarget) ? Target.Notification
                    : reader.ValueTextEquals(ResyncTarget) ? Target.Resync : Target.Other;
            }
            else if (reader.ValueTextEquals("invocationId"u8))
            {
                reader.Read();
                invocationId = reader.GetString();
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                error = reader.GetString();
            }
            else if (reader.ValueTextEquals("arguments"u8) && target == Target.Notification && sink is not null)
            {
                // The server writes "target" before "arguments".
                ReadJsonPayload(ref reader, sink);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (target == Target.Resync)
        {
            sink?.OnResync();
        }

        return new Outcome((HubMessageKind)kind, invocationId, error);
    }

    private static void ReadJsonPayload(ref Utf8JsonReader reader, IHubMessageSink sink)
    {
        reader.Read(); // [
        reader.Read(); // {
        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals(PayloadKey))
            {
                reader.Read();
                if (reader.ValueIsEscaped || reader.HasValueSequence)
                {
                    sink.OnNotification(Encoding.UTF8.GetBytes(reader.GetString()!));
                }
                else
                {
                    sink.OnNotification(reader.ValueSpan);
                }
            }
            else if (reader.TokenType == JsonTokenType.PropertyName)
            {
                reader.Read();
                reader.Skip();
            }
        }

        reader.Read(); // ]
    }

    private static Outcome DispatchMessagePack(ReadOnlyMemory<byte> body, IHubMessageSink? sink)
    {
        var reader = new MessagePackReader(body);
        var count = reader.ReadArrayHeader();
        var kind = (HubMessageKind)reader.ReadInt32();
        switch (kind)
        {
            case HubMessageKind.Invocation:
                reader.Skip(); // headers
                var invocationId = reader.TryReadNil() ? null : reader.ReadString();
                var target = ReadTarget(ref reader);
                if (target == Target.Notification && sink is not null)
                {
                    ReadMessagePackPayload(ref reader, sink);
                }
                else if (target == Target.Resync)
                {
                    sink?.OnResync();
                }

                return new Outcome(kind, invocationId, null);
            case HubMessageKind.Completion:
                reader.Skip(); // headers
                var id = reader.ReadString();
                var resultKind = reader.ReadInt32();
                return new Outcome(kind, id, resultKind == 1 ? reader.ReadString() : null);
            case HubMessageKind.Close:
                return new Outcome(kind, null, count > 1 && !reader.TryReadNil() ? reader.ReadString() : null);
            default:
                return new Outcome(kind, null, null);
        }
    }

    private static Target ReadTarget(ref MessagePackReader reader)
    {
        var bytes = reader.ReadStringSequence();
        if (bytes is not { } target || !target.IsSingleSegment)
        {
            return Target.Other;
        }

        return target.FirstSpan.SequenceEqual(NotificationTarget) ? Target.Notification
            : target.FirstSpan.SequenceEqual(ResyncTarget) ? Target.Resync : Target.Other;
    }

    private static void ReadMessagePackPayload(ref MessagePackReader reader, IHubMessageSink sink)
    {
        reader.ReadArrayHeader();
        var fields = reader.ReadMapHeader();
        for (var i = 0; i < fields; i++)
        {
            var key = reader.ReadStringSequence();
            if (key is { IsSingleSegment: true } k && k.FirstSpan.SequenceEqual(PayloadKey))
            {
                var value = reader.ReadStringSequence();
                if (value is { } payload)
                {
                    sink.OnNotification(payload.IsSingleSegment ? payload.FirstSpan : System.Buffers.BuffersExtensions.ToArray(payload));
                }

                return;
            }

            reader.Skip();
        }
    }

    private enum Target
    {
        Other,
        Notification,
        Resync,
    }
}
