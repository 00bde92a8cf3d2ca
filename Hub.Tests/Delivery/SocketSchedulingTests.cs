using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hub.Tests.Delivery;

public sealed class SocketSchedulingTests(SharedPostgres postgres)
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("false", false)]
    public async Task Kestrel_continues_socket_work_inline_unless_turned_off_and_delivers_either_way(string? setting, bool inline)
    {
        await using var scenario = await HubScenario.StartAsync(postgres.Server, settings =>
        {
            if (setting is not null)
            {
                settings["Hub:Delivery:InlineSocketScheduling"] = setting;
            }
        });
        var client = await scenario.SubscribedClientAsync();

        await scenario.NotifyAsync(HubScenario.Events, "sent");

        Assert.Equal(inline, scenario.Hub.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
        Assert.Equal("sent", (await client.NextNotificationAsync()).Payload);
    }
}
