using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;

namespace Hub.Server.Streams;

/// <summary>
/// A place in the durable stream of one database: the outbox's incarnation (<see cref="Epoch"/>) and a row's
/// <c>(tx, id)</c>, the stream order. <see cref="Zero"/> positions come before every row of their epoch.
/// </summary>
/// <remarks>
/// The text form is <c>1</c> (the format version), then the epoch, tx and id as 16 lower-case hex digits each, then
/// 8 hex digits of a check (the first bytes of SHA-256 over the rest): 57 characters. Hex rather than base64 because
/// its text order is the stream order: a client compares two positions of one epoch (the first 17 characters equal)
/// with an ordinal string comparison, without decoding them. The check catches a mistyped, truncated or hand-edited
/// position; it is not a secret, and needs none: a well-formed position only ever selects rows of a database the
/// caller may read anyway, and the server checks it against the epoch, retention and head before using it.
/// </remarks>
public readonly record struct StreamPosition(long Epoch, ulong Tx, long Id)
{
    /// <summary>The current text format.</summary>
    public const char Version = '1';

    /// <summary>Characters of the text form.</summary>
    public const int TextLength = 1 + (3 * 16) + 8;

    /// <summary>Characters a client compares to tell whether two positions are of the same epoch.</summary>
    public const int EpochPrefixLength = 1 + 16;

    /// <summary>The position before every row of <paramref name="epoch"/>.</summary>
    public static StreamPosition Zero(long epoch) => new(epoch, 0, 0);

    /// <summary>Stream order within one epoch: by tx, then id.</summary>
    public int CompareTo(StreamPosition other)
    {
        var byTx = Tx.CompareTo(other.Tx);
        return byTx != 0 ? byTx : Id.CompareTo(other.Id);
    }

    /// <summary>Whether this comes after <paramref name="other"/> in the stream (epochs are not compared).</summary>
    public bool IsAfter(StreamPosition other) => CompareTo(other) > 0;

    /// <summary>The later of two positions of one epoch.</summary>
    public static StreamPosition Max(StreamPosition a, StreamPosition b) => a.IsAfter(b) ? a : b;

    /// <summary>The text clients see and send back.</summary>
    public override string ToString()
        => string.Create(TextLength, this, static (chars, position) =>
        {
            chars[0] = Version;
            var body = chars[1..];
            WriteHex(body, 0, (ulong)position.Epoch);
            WriteHex(body, 16, position.Tx);
            WriteHex(body, 32, (ulong)position.Id);
            WriteHex(body[48..], 0, Check(position), digits: 8);
        });

    /// <summary>Reads a position a client sent; false for anything malformed, of another version or with a wrong check.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out StreamPosition? position)
    {
        position = null;
        if (text is null || text.Length != TextLength || text[0] != Version)
        {
            return false;
        }

        var body = text.AsSpan(1);
        foreach (var c in body)
        {
            // Lower case only: one position has one spelling, so equal positions are equal strings.
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        var epoch = ulong.Parse(body[..16], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        var tx = ulong.Parse(body[16..32], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        var id = ulong.Parse(body[32..48], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        var check = uint.Parse(body[48..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        if (epoch > long.MaxValue || id > long.MaxValue)
        {
            return false;
        }

        var candidate = new StreamPosition((long)epoch, tx, (long)id);
        if (Check(candidate) != check)
        {
            return false;
        }

        position = candidate;
        return true;
    }

    private static uint Check(StreamPosition position)
    {
        Span<byte> fields = stackalloc byte[25];
        fields[0] = (byte)Version;
        BinaryPrimitives.WriteInt64BigEndian(fields[1..], position.Epoch);
        BinaryPrimitives.WriteUInt64BigEndian(fields[9..], position.Tx);
        BinaryPrimitives.WriteInt64BigEndian(fields[17..], position.Id);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(fields, hash);
        return BinaryPrimitives.ReadUInt32BigEndian(hash);
    }

    private static void WriteHex(Span<char> destination, int offset, ulong value, int digits = 16)
    {
        for (var i = digits - 1; i >= 0; i--)
        {
            destination[offset + i] = "0123456789abcdef"[(int)(value & 0xF)];
            value >>= 4;
        }
    }
}
