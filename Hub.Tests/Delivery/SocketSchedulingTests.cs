using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hub.Tests.Delivery;

public sealed class SocketSchedulingTests(SharedPostgres postgres)
{
    [Theory]
    [InlineData(null, false, true)]
    [InlineData("false", false, false)]
    [InlineData(null, true, false)]
    [InlineData("true", true, true)]
    public async Task Kestrel_continues_socket_work_inline_for_a_single_instance_unless_configured_and_delivers_either_way(
        string? setting, bool redis, bool inline)
    {
        await using var redisServer = redis ? await RedisServer.StartAsync() : null;
        await using var scenario = await HubScenario.StartAsync(postgres.Server, settings =>
        {
            if (setting is not null)
            {
                settings["Hub:Delivery:InlineSocketScheduling"] = setting;
            }

            if (redisServer is not null)
            {
                settings["Hub:Redis"] = redisServer.Configuration;
                settings["Hub:ScaleOut:ChannelPrefix"] = $"inline-{Guid.NewGuid():N}";
            }
        });
        var client = await scenario.SubscribedClientAsync();

        await scenario.NotifyAsync(HubScenario.Events, "sent");

        Assert.Equal(inline, scenario.Hub.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
        Assert.Equal("sent", (await client.NextNotificationAsync()).Payload);
    }
}
