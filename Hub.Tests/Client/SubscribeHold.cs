using Microsoft.AspNetCore.SignalR;

namespace Hub.Tests.Client;

/// <summary>
/// A hub filter that, once armed, holds the hub's Subscribe calls for one database until released: it lets a test
/// act while a client is in the middle of resubscribing.
/// </summary>
public sealed class SubscribeHold : IHubFilter
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _database;

    /// <summary>Completes when a held Subscribe has arrived.</summary>
    public Task Entered => _entered.Task;

    public void Arm(string database) => _database = database;

    public void Release() => _released.TrySetResult();

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (invocationContext.HubMethodName == "Subscribe" && _database is { } held && Equals(invocationContext.HubMethodArguments[0], held))
        {
            _entered.TrySetResult();
            await _released.Task;
        }

        return await next(invocationContext);
    }
}
