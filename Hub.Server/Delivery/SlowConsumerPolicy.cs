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

    /// <summary>
    /// Why a connection with <paramref name="waitingBytes"/> waiting breaks the policy, or null when it does not:
    /// over the hard cap, or over the bound with a write pending (<paramref name="writing"/>) and no progress for
    /// <paramref name="stalledFor"/>.
    /// </summary>
    public string? Breach(long waitingBytes, bool writing, TimeSpan stalledFor)
    {
        if (waitingBytes <= MaxBufferedBytes)
        {
            return null;
        }

        if (waitingBytes > HardMaxBufferedBytes)
        {
            return $"Slow consumer: more than {HardMaxBufferedBytes} bytes (Hub:Delivery:HardMaxBufferedBytesPerConnection) waiting for the client.";
        }

        return writing && stalledFor >= StallTimeout
            ? $"Slow consumer: more than {MaxBufferedBytes} bytes (Hub:Delivery:MaxBufferedBytesPerConnection) waiting and nothing read for {stalledFor.TotalSeconds:0.#} s (Hub:Delivery:SlowConsumerTimeout)."
            : null;
    }
}
