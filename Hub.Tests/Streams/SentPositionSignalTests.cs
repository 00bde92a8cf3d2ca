using Hub.Server.Streams;

namespace Hub.Tests.Streams;

public sealed class SentPositionSignalTests
{
    private static readonly StreamPosition Sent = new(7, 100, 10);

    [Fact]
    public async Task A_waiter_completes_when_the_reader_sends_past_its_position_and_not_before()
    {
        var signal = new SentPositionSignal();
        signal.Start(Sent);

        var waiting = signal.WaitForAsync(Sent with { Id = 12 }, TestContext.Current.CancellationToken);
        signal.Advance(Sent with { Id = 11 });
        await Task.Yield();
        Assert.False(waiting.IsCompleted, "the reader has not sent row 12 yet");
        signal.Advance(Sent with { Tx = 101, Id = 5 });

        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_position_already_sent_or_of_another_epoch_completes_at_once()
    {
        var signal = new SentPositionSignal();
        signal.Start(Sent);

        Assert.True(await signal.WaitForAsync(Sent, TestContext.Current.CancellationToken));
        Assert.True(await signal.WaitForAsync(Sent with { Id = 9 }, TestContext.Current.CancellationToken));
        Assert.True(await signal.WaitForAsync(new StreamPosition(8, 1, 1), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_reader_that_does_not_lead_or_stands_down_answers_false()
    {
        var signal = new SentPositionSignal();
        Assert.False(await signal.WaitForAsync(Sent, TestContext.Current.CancellationToken));
        signal.Advance(Sent);
        Assert.False(await signal.WaitForAsync(Sent, TestContext.Current.CancellationToken), "an advance while not leading counts for nothing");

        signal.Start(Sent);
        var waiting = signal.WaitForAsync(Sent with { Id = 20 }, TestContext.Current.CancellationToken);
        signal.Stop();

        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Many_waiters_racing_the_reader_all_complete_once_it_has_sent_their_position()
    {
        var signal = new SentPositionSignal();
        signal.Start(new StreamPosition(7, 0, 0));
        var waiters = Enumerable.Range(1, 200)
            .Select(i => Task.Run(() => signal.WaitForAsync(new StreamPosition(7, 1, i), TestContext.Current.CancellationToken), TestContext.Current.CancellationToken))
            .ToArray();

        var advancing = Task.Run(() =>
        {
            for (var id = 1; id <= 200; id++)
            {
                signal.Advance(new StreamPosition(7, 1, id));
            }
        }, TestContext.Current.CancellationToken);
        await advancing;

        Assert.All(await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken), Assert.True);
    }
}
