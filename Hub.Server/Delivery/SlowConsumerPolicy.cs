namespace Hub.Server.Delivery;

/// <summary>
/// When a connection counts as a slow consumer (<see cref="DeliveryOptions"/>): more than
/// <see cref="MaxBufferedBytes"/> waits for it and no write to its socket has completed for <see cref="StallTimeout"/>,
/// or what waits reaches <see cref="HardMaxBufferedBytes"/> however fast it reads.
/// </summary>
/// <param name="MaxBufferedBytes">What may wait for a connection that makes no progress.</param>
/// <param name="HardMaxBufferedBytes">What may wait for any connection.</param>
/// <param name="StallTimeout">How long a connection over <paramref name="MaxBufferedBytes"/> may go without progress.</param>
public sealed record SlowConsumerPolicy(long MaxBufferedBytes, long HardMaxBufferedBytes, TimeSpan StallTimeout)
{
    /// <summary>The policy <paramref name="options"/> describe.</summary>
    public static SlowConsumerPolicy From(DeliveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SlowConsumerPolicy(options.MaxBufferedBytesPerConnection, options.HardMaxBufferedBytesPerConnection, options.SlowConsumerTimeout);
    }
}
