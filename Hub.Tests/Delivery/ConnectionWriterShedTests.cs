using System.Buffers.Binary;
using System.Net.Sockets;
using Hub.Server.Delivery;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hub.Tests.Delivery;

/// <summary>
/// A <see cref="DeliveryHold"/> that sheds once it passes half the connection's bound
/// (<see cref="DeliveryHold.ShedWhenFull"/>), on a <see cref="ConnectionWriter"/> over a real TCP socket whose client
/// reads only after the hold ends.
/// </summary>
public sealed class ConnectionWriterShedTests
{
    private const int PayloadLength = 1024;
    private const byte Sheddable = (byte)'S';
    private const byte Kept = (byte)'K';
    private const byte End = (byte)'E';
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    // 32 KB of held frames reach half the bound; no slow-consumer rule trips while the client reads nothing.
    private static readonly SlowConsumerPolicy Policy = new(64 * 1024, 64 * 1024 * 1024, TimeSpan.FromMinutes(10));

    [Fact]
    public async Task A_full_hold_looks_at_each_held_message_once_sheds_what_it_refused_only_after_it_is_told_the_predicate_widened_and_releases_the_rest_in_order()
    {
        using var pair = await LoopbackTcpPair.OpenAsync();
        await using var socket = pair.Server.GetStream();
        var disconnected = new List<string>();
        var writer = new ConnectionWriter("shed", socket, Policy, new SlowConsumerMonitor(NullLogger<SlowConsumerMonitor>.Instance), TimeProvider.System, (_, reason) => disconnected.Add(reason));

        var hold = writer.Hold();
        var looks = 0;
        var shedsMarked = false;
        hold.ShedWhenFull(message =>
        {
            looks++;
            return shedsMarked && message.Span[0] == Sheddable;
        });

        // 200 held frames, 168 of them past half the bound: every one of those adds tries to shed. Looking again at
        // what was refused before would take about 20,000 looks; once per frame takes at most 200.
        const int First = 200;
        var sent = new List<(byte Marker, int Index)>();
        for (var i = 0; i < First; i++)
        {
            sent.Add((i % 2 == 0 ? Sheddable : Kept, i));
            writer.Send(Frame(sent[^1].Marker, i));
        }

        Assert.InRange(looks, 1, First);
        Assert.Equal(0, hold.Sheds);

        // The predicate now accepts the marked frames, but the writer refused them before and is not told: it looks
        // only at the newly held frame.
        shedsMarked = true;
        looks = 0;
        sent.Add((Kept, First));
        writer.Send(Frame(Kept, First));
        Assert.Equal(1, looks);
        Assert.Equal(0, hold.Sheds);

        // Told, it looks at every held frame again and sheds the marked ones.
        hold.ShedWidened();
        sent.Add((Kept, First + 1));
        writer.Send(Frame(Kept, First + 1));
        Assert.Equal(1, hold.Sheds);

        hold.Release(static _ => false);
        using (hold.Pass())
        {
            writer.Send(Frame(End, -1));
        }

        var received = await ReadUntilEndAsync(pair.Client.GetStream());
        Assert.Equal(sent.Where(static s => s.Marker == Kept), received);
        Assert.Empty(disconnected);
        writer.Close();
    }

    private static OutgoingFrame Frame(byte marker, int index)
    {
        var payload = new byte[PayloadLength];
        payload[0] = marker;
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(1), index);
        return WebSocketFrames.DataFrame(payload, TransferFormat.Binary);
    }

    /// <summary>Reads frames of <see cref="PayloadLength"/> bytes (a 4-byte header each) up to the end marker.</summary>
    private static async Task<List<(byte Marker, int Index)>> ReadUntilEndAsync(NetworkStream stream)
    {
        var received = new List<(byte, int)>();
        var frame = new byte[4 + PayloadLength];
        while (true)
        {
            await stream.ReadExactlyAsync(frame, TestContext.Current.CancellationToken).AsTask().WaitAsync(Wait, TestContext.Current.CancellationToken);
            Assert.Equal(PayloadLength, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(2)));
            var marker = frame[4];
            if (marker == End)
            {
                return received;
            }

            received.Add((marker, BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(5))));
        }
    }
}
