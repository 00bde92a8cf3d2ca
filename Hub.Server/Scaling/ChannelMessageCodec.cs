using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Hub.Server.Contracts;

namespace Hub.Server.Scaling;

/// <summary>
/// The wire format of the envelope channel. A leader encodes the body (a JSON object); the publish script prepends
/// the sequence number Redis gave it, a <c>:</c>, the sequence's incarnation and a <c>|</c>, so that the number is
/// assigned and published atomically.
/// </summary>
/// <remarks>
/// Body fields: <c>k</c> the kind (<c>n</c> notification, <c>r</c> resync, <c>h</c> heartbeat), <c>db</c>,
/// <c>e</c> the leader's epoch, <c>l</c> its instance id; a notification adds <c>ch</c>, <c>p</c>, <c>pid</c>,
/// <c>at</c> and <c>pos</c> (when it has a position), a resync <c>r</c>, <c>s</c> and <c>u</c>, a heartbeat
/// <c>at</c> (the last notification's receive time, when there was one). Times are ISO-8601 UTC.
/// </remarks>
public static class ChannelMessageCodec
{
    /// <summary>The body of an envelope or, with <paramref name="envelope"/> null, of a heartbeat.</summary>
    public static byte[] EncodeBody(string database, long epoch, string leader, Envelope? envelope, DateTime? lastNotificationAt)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            switch (envelope)
            {
                case NotificationEnvelope notification:
                    json.WriteString("k", "n");
                    json.WriteString("ch", notification.Channel);
                    json.WriteString("p", notification.Payload);
                    json.WriteNumber("pid", notification.ProcessId);
                    json.WriteString("at", notification.ReceivedAt);
                    if (notification.Position is { } position)
                    {
                        json.WriteString("pos", position);
                    }

                    break;
                case ResyncEnvelope resync:
                    json.WriteString("k", "r");
                    json.WriteString("r", resync.Reason);
                    json.WriteString("s", resync.Since);
                    json.WriteString("u", resync.Until);
                    break;
                case null:
                    json.WriteString("k", "h");
                    if (lastNotificationAt is { } at)
                    {
                        json.WriteString("at", at);
                    }

                    break;
                default:
                    throw new ArgumentException($"A {envelope.GetType().Name} cannot be published.", nameof(envelope));
            }

            json.WriteString("db", database);
            json.WriteNumber("e", epoch);
            json.WriteString("l", leader);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Reads a published message (<c>sequence:incarnation|body</c>); null, with the reason, when it is not one.</summary>
    public static ChannelMessage? Decode(ReadOnlySpan<byte> message, out string? error)
    {
        var bar = message.IndexOf((byte)'|');
        var colon = bar > 0 ? message[..bar].IndexOf((byte)':') : -1;
        if (colon <= 0 || !Utf8Parser.TryParse(message[..colon], out long sequence, out var consumed) || consumed != colon)
        {
            error = "no sequence number";
            return null;
        }

        var incarnation = Encoding.UTF8.GetString(message[(colon + 1)..bar]);

        try
        {
            var reader = new Utf8JsonReader(message[(bar + 1)..]);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var database = root.GetProperty("db").GetString()!;
            var epoch = root.GetProperty("e").GetInt64();
            var leader = root.GetProperty("l").GetString() ?? string.Empty;
            Envelope? envelope = root.GetProperty("k").GetString() switch
            {
                "n" => new NotificationEnvelope(
                    database,
                    root.GetProperty("ch").GetString()!,
                    root.GetProperty("p").GetString()!,
                    root.GetProperty("pid").GetInt32(),
                    Utc(root.GetProperty("at")),
                    root.TryGetProperty("pos", out var position) ? position.GetString() : null),
                "r" => new ResyncEnvelope(database, root.GetProperty("r").GetString()!, Utc(root.GetProperty("s")), Utc(root.GetProperty("u"))),
                "h" => null,
                var kind => throw new JsonException($"unknown kind '{kind}'"),
            };
            DateTime? lastAt = envelope is null && root.TryGetProperty("at", out var at) ? Utc(at) : null;
            error = null;
            return new ChannelMessage(database, sequence, incarnation, epoch, leader, envelope, lastAt);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            error = ex.Message;
            return null;
        }
    }

    private static DateTime Utc(JsonElement element) => DateTime.SpecifyKind(element.GetDateTime().ToUniversalTime(), DateTimeKind.Utc);
}
