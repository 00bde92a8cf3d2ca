using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Hub.Server.Hubs;

/// <summary>
/// Decodes a client's UTF-8 without repairing it: each byte that is not part of a well-formed sequence (stray
/// continuation bytes, overlong forms such as <c>C0 80</c>, encoded surrogates such as CESU-8's <c>ED A0 80</c>,
/// truncated sequences) becomes the lone low surrogate <c>U+DC00 + byte</c>.
/// </summary>
/// <remarks>
/// A lone surrogate is not valid Unicode, so the hub's own checks refuse the text with the message they give for
/// any invalid text, where a lenient decoder would have substituted U+FFFD and changed the data silently.
/// </remarks>
public static class MarkedUtf8
{
    private const char InvalidByteBase = '\uDC00';

    /// <summary>Decodes <paramref name="utf8"/>, marking each invalid byte as described above.</summary>
    public static string Decode(ReadOnlySpan<byte> utf8)
    {
        if (Utf8.IsValid(utf8))
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var builder = new StringBuilder(utf8.Length);
        AppendTo(builder, utf8);
        return builder.ToString();
    }

    /// <summary>Decodes <paramref name="utf8"/> onto <paramref name="builder"/>, marking each invalid byte.</summary>
    public static void AppendTo(StringBuilder builder, ReadOnlySpan<byte> utf8)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var chars = ArrayPool<char>.Shared.Rent(Math.Min(utf8.Length, 4096) + 1);
        try
        {
            while (!utf8.IsEmpty)
            {
                var status = Utf8.ToUtf16(utf8, chars, out var read, out var written, replaceInvalidSequences: false);
                builder.Append(chars, 0, written);
                utf8 = utf8[read..];
                if (status == OperationStatus.InvalidData)
                {
                    builder.Append((char)(InvalidByteBase + utf8[0]));
                    utf8 = utf8[1..];
                }
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}
