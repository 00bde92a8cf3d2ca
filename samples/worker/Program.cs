// Keeps a copy of the 'orders' table current through the hub, in the order the README promises:
// subscribe, then load the state, then apply notifications; a resync (the hub's or this client's connection was
// lost, so notifications may be missing) loads the state again.
//   HUB_URL   the hub (default http://127.0.0.1:5080/hubs/notifications)
//   APP_DB    the database's connection string (default: scripts/run.sh's local PostgreSQL)
//   HUB_DATABASE  the database's name on the hub (default app)
using System.Threading.Channels;
using Hub.Client;
using Samples.Worker;

var hubUrl = new Uri(Environment.GetEnvironmentVariable("HUB_URL") ?? "http://127.0.0.1:5080/hubs/notifications");
var connectionString = Environment.GetEnvironmentVariable("APP_DB") ?? "Host=127.0.0.1;Port=54329;Database=app;Username=postgres";
var database = Environment.GetEnvironmentVariable("HUB_DATABASE") ?? "app";

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

// Notifications and resyncs go through one queue, so that a reload happens between two notifications, never during one.
var events = Channel.CreateUnbounded<object>();
await using var client = new NotificationHubClient(new() { Url = hubUrl });
client.Resync += resync => events.Writer.TryWrite(resync);
await client.StartAsync(stop.Token);
_ = Task.Run(async () =>
{
    await foreach (var notification in client.ReadAllAsync(stop.Token))
    {
        events.Writer.TryWrite(notification);
    }
});

// 1. Subscribe: when this returns the LISTEN is active, so every change committed from now on will be notified.
await client.SubscribeAsync(database, "orders", stop.Token);
// 2. Load: whatever was committed before is in the table.
var mirror = new OrderMirror(connectionString);
await mirror.LoadAsync(stop.Token);
Console.WriteLine($"loaded {mirror.Count} orders");

// 3. Apply: changes committed during the load arrive as notifications too; the version check drops those it saw.
try
{
    await foreach (var item in events.Reader.ReadAllAsync(stop.Token))
    {
        switch (item)
        {
            case HubNotification notification when mirror.Apply(notification.Payload) is { } order:
                Console.WriteLine($"order {order.Id}: {order.Status} (version {order.Version})");
                break;
            case HubResync resync:
                await mirror.LoadAsync(stop.Token);
                Console.WriteLine($"resync ({resync.Reason}): reloaded {mirror.Count} orders");
                break;
        }
    }
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
}
