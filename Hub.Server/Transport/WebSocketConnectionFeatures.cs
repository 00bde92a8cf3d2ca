using System.Collections;
using Hub.Server.Delivery;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Hub.Server.Transport;

/// <summary>
/// The features of a <see cref="WebSocketHubConnection"/>: its own ones are answered by the connection itself (and its
/// writer) without a dictionary per connection; a feature someone else sets goes into a collection created then.
/// </summary>
/// <remarks>A feature the connection answers itself can be replaced by setting another, not removed.</remarks>
internal sealed class WebSocketConnectionFeatures(WebSocketHubConnection connection) : IFeatureCollection
{
    private static readonly Type[] ConnectionFeatures =
    [
        typeof(IConnectionIdFeature),
        typeof(IConnectionItemsFeature),
        typeof(IConnectionTransportFeature),
        typeof(IConnectionUserFeature),
        typeof(IConnectionLifetimeFeature),
        typeof(IConnectionHeartbeatFeature),
        typeof(ITransferFormatFeature),
        typeof(IHttpContextFeature),
    ];

    private static readonly Type[] WriterFeatures = [typeof(IDeliveryHoldFeature), typeof(ConnectionWriter)];

    private FeatureCollection? _others;

    public bool IsReadOnly => false;

    public int Revision => _others?.Revision ?? 0;

    public object? this[Type key]
    {
        get => _others?[key] ?? Own(key);
        set => (_others ??= new FeatureCollection())[key] = value;
    }

    public TFeature? Get<TFeature>() => (TFeature?)this[typeof(TFeature)];

    public void Set<TFeature>(TFeature? instance) => this[typeof(TFeature)] = instance;

    public IEnumerator<KeyValuePair<Type, object>> GetEnumerator()
    {
        foreach (var type in ConnectionFeatures.Concat(WriterFeatures))
        {
            if (this[type] is { } feature)
            {
                yield return new KeyValuePair<Type, object>(type, feature);
            }
        }

        if (_others is not null)
        {
            foreach (var other in _others)
            {
                if (Own(other.Key) is null)
                {
                    yield return other;
                }
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private object? Own(Type key)
        => Array.IndexOf(ConnectionFeatures, key) >= 0 ? connection : Array.IndexOf(WriterFeatures, key) >= 0 ? connection.Writer : null;
}
