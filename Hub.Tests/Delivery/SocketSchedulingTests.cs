using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hub.Tests.Delivery;

public sealed class SocketSchedulingTests(SharedPostgres postgres)
{
    [Theory]
    [InlineData(null, false, true)]
    [InlineData(false, false, false)]
    [InlineData(null, true, false)]
    [InlineData(true, true, true)]
    public async Task Kestrel_continues_socket_work_inline_for_a_single_instance_unless_configured_and_delivers_either_way(
        bool? setting, bool redis, bool inline)
    {
        await using var redisServer = redis ? await RedisServer.StartAsync() : null;
        await using var scenario = await HubFixture.For(postgres.Server).Configure(settings =>
        {
            settings.Delivery.InlineSocketScheduling = setting;
            if (redisServer is not null)
            {
                settings.Redis = redisServer.Configuration;
                settings.ScaleOut.ChannelPrefix = $"inline-{Guid.NewGuid():N}";
            }
        }).StartAsync();
        var client = await scenario.SubscribedClientAsync();

        await scenario.NotifyAsync(HubFixture.Events, "sent");

        Assert.Equal(inline, scenario.Hub.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
        Assert.Equal("sent", (await client.NextNotificationAsync()).Payload);
    }
}
