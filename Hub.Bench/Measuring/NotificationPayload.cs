using System.Buffers.Text;
using System.Globalization;

namespace Hub.Bench.Measuring;

/// <summary>
/// The bench's NOTIFY payload: "sequence:timestamp:" then padding, where timestamp is the monotonic
/// <see cref="System.Diagnostics.Stopwatch"/> time of the send (comparable across processes on one machine).
/// </summary>
public static class NotificationPayload
{
    /// <summary>Builds a payload of at least <paramref name="length"/> characters.</summary>
    public static string Create(long sequence, long sentTimestamp, int length)
    {
        var head = string.Create(CultureInfo.InvariantCulture, $"{sequence}:{sentTimestamp}:");
        return head.Length >= length ? head : head + new string('x', length - head.Length);
    }

    /// <summary>Reads the sequence number and send time; false for a payload the bench did not send.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out long sequence, out long sentTimestamp)
    {
        sentTimestamp = 0;
        if (!Utf8Parser.TryParse(payload, out sequence, out var consumed) || consumed >= payload.Length || payload[consumed] != (byte)':')
        {
            return false;
        }

        var rest = payload[(consumed + 1)..];
        return Utf8Parser.TryParse(rest, out sentTimestamp, out consumed) && sequence >= 0;
    }
}
