using Hub.Server.Streams;

namespace Hub.Tests.Streams;

public sealed class StreamPositionTests
{
    [Fact]
    public void Text_round_trips()
    {
        var position = new StreamPosition(0x1234_5678_9abc_def0, 987_654_321, 42);

        Assert.True(StreamPosition.TryParse(position.ToString(), out var parsed));
        Assert.Equal(position, parsed);
        Assert.Equal(StreamPosition.TextLength, position.ToString().Length);
    }

    [Fact]
    public void Text_order_is_stream_order_within_an_epoch()
    {
        var positions = new[]
        {
            new StreamPosition(7, 5, 900), new StreamPosition(7, 5, 1000), new StreamPosition(7, 6, 2), new StreamPosition(7, 255, 1), new StreamPosition(7, 256, 1),
        };

        var byText = positions.OrderBy(p => p.ToString(), StringComparer.Ordinal).ToArray();

        Assert.Equal(positions, byText);
        Assert.All(positions, p => Assert.Equal(positions[0].ToString()[..StreamPosition.EpochPrefixLength], p.ToString()[..StreamPosition.EpochPrefixLength]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a position")]
    [InlineData("2000000000000000700000000000000050000000000000384deadbeef")]
    public void Malformed_text_is_refused(string text)
        => Assert.False(StreamPosition.TryParse(text, out _));

    [Fact]
    public void Edited_truncated_or_upper_cased_positions_are_refused()
    {
        var text = new StreamPosition(7, 5, 900).ToString();
        var edited = text[..40] + (text[40] == '0' ? '1' : '0') + text[41..];

        Assert.False(StreamPosition.TryParse(edited, out _));
        Assert.False(StreamPosition.TryParse(text[..^1], out _));
        Assert.False(StreamPosition.TryParse(text + "0", out _));
        Assert.False(StreamPosition.TryParse(new StreamPosition(0xabc, 5, 900).ToString().ToUpperInvariant(), out _));
    }
}
