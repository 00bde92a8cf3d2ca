using Hub.Bench.Measuring;
using Hub.Server.Contracts;
using Hub.Server.Delivery;
using Hub.Server.Hubs;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Tests.Bench;

/// <summary>
/// The hub's real lifetime manager with a deliberately broken notification path: notifications whose bench
/// sequence number matches <see cref="Drops"/> are not sent, those matching <see cref="Repeats"/> are sent twice.
/// It lets a test know exactly what the bench should count as lost and duplicated.
/// </summary>
internal sealed class LossyHubLifetimeManager(HubLifetimeManager<NotificationHub> inner) : HubLifetimeManager<NotificationHub>
{
    public static bool Drops(long sequence) => sequence % 5 == 2;

    public static bool Repeats(long sequence) => sequence % 7 == 3 && !Drops(sequence);

    public override async Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        if (methodName == ClientMethods.Notification && args is [NotificationEnvelope envelope]
            && NotificationPayload.TryParse(System.Text.Encoding.UTF8.GetBytes(envelope.Payload), out var sequence, out _))
        {
            if (Drops(sequence))
            {
                return;
            }

            if (Repeats(sequence))
            {
                await inner.SendGroupAsync(groupName, methodName, args, cancellationToken);
            }
        }

        await inner.SendGroupAsync(groupName, methodName, args, cancellationToken);
    }

    public override Task OnConnectedAsync(HubConnectionContext connection) => inner.OnConnectedAsync(connection);

    public override Task OnDisconnectedAsync(HubConnectionContext connection) => inner.OnDisconnectedAsync(connection);

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default)
        => inner.SendAllAsync(methodName, args, cancellationToken);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default)
        => inner.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken);

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default)
        => inner.SendConnectionAsync(connectionId, methodName, args, cancellationToken);

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default)
        => inner.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken);

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default)
        => inner.SendGroupsAsync(groupNames, methodName, args, cancellationToken);

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default)
        => inner.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken);

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default)
        => inner.SendUserAsync(userId, methodName, args, cancellationToken);

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default)
        => inner.SendUsersAsync(userIds, methodName, args, cancellationToken);

    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
        => inner.AddToGroupAsync(connectionId, groupName, cancellationToken);

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
        => inner.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);
}
