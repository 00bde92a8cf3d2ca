using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hub.Tests.Limits;

/// <summary>Floods a hub with calls it refuses, as a hostile client would.</summary>
internal static class RefusedCalls
{
    /// <summary>
    /// Makes <paramref name="calls"/> calls for a database the caller's token does not grant, 50 at a time, and returns
    /// how many were refused; stops early when the hub closes the connection.
    /// </summary>
    public static async Task<int> FloodAsync(HubConnection connection, int calls)
    {
        var refused = 0;
        for (var sent = 0; sent < calls; sent += 50)
        {
            var batch = Enumerable.Range(0, Math.Min(50, calls - sent))
                .Select(_ => connection.InvokeAsync<string[]>("Subscribe", "not_granted", null))
                .ToList();
            foreach (var call in batch)
            {
                try
                {
                    await call;
                }
                catch (HubException)
                {
                    refused++;
                }
                catch (Exception) when (connection.State != HubConnectionState.Connected)
                {
                    return refused;
                }
            }
        }

        return refused;
    }
}
