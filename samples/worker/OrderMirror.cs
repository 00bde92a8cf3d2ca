using System.Text.Json;
using Npgsql;

namespace Samples.Worker;

/// <summary>
/// The application's copy of the <c>orders</c> table: loaded from PostgreSQL, then kept current by notifications.
/// </summary>
/// <remarks>
/// A notification can describe a change the load already saw (it was committed while the load ran), so each row
/// carries a version and an older one never replaces a newer one.
/// </remarks>
public sealed class OrderMirror(string connectionString)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Dictionary<int, Order> _orders = [];

    public int Count => _orders.Count;

    /// <summary>Replaces the mirror with the table as it is now.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT id, status, version FROM orders", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        _orders.Clear();
        while (await reader.ReadAsync(cancellationToken))
        {
            var order = new Order(reader.GetInt32(0), reader.GetString(1), reader.GetInt32(2));
            _orders[order.Id] = order;
        }
    }

    /// <summary>Applies a notified row; returns it when it changed the mirror, null when the mirror already had it.</summary>
    public Order? Apply(string payload)
    {
        var order = JsonSerializer.Deserialize<Order>(payload, Json) ?? throw new FormatException($"not an order: {payload}");
        if (_orders.TryGetValue(order.Id, out var known) && known.Version >= order.Version)
        {
            return null;
        }

        _orders[order.Id] = order;
        return order;
    }
}
