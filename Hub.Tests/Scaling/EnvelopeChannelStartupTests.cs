using Hub.Tests.Infrastructure;

namespace Hub.Tests.Scaling;

public sealed class EnvelopeChannelStartupTests(SharedPostgres postgres)
{
    // The envelope channel's subscription link comes up a moment after its connection, often enough that a handful
    // of fresh starts (each with a Redis of its own) shows an instance that served a subscriber before it was subscribed.
    private const int Starts = 12;

    [Fact]
    public async Task A_hub_started_with_Redis_delivers_the_first_notification_sent_after_Subscribe_returned_every_time()
    {
        var missed = new List<int>();
        for (var start = 0; start < Starts; start++)
        {
            await using var redis = await RedisServer.StartAsync();
            await using var scenario = await HubFixture.For(postgres.Server).Configure(settings =>
            {
                settings.Redis = redis.Configuration;
                            }).StartAsync();
            var client = await scenario.SubscribedClientAsync();

            await scenario.NotifyAsync(HubFixture.Events, $"start {start}");

            try
            {
                Assert.Equal($"start {start}", (await client.NextNotificationAsync(TimeSpan.FromSeconds(5))).Payload);
            }
            catch (OperationCanceledException)
            {
                missed.Add(start);
            }
        }

        Assert.Empty(missed);
    }
}
