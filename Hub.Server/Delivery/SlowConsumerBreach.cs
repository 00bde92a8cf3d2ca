namespace Hub.Server.Delivery;

/// <summary>A connection found breaking its <see cref="SlowConsumerPolicy"/>: its writer is closed already and disconnects it.</summary>
/// <param name="WaitingBytes">What waited for the connection when it was found.</param>
/// <param name="Reason">Why it is disconnected, for the client and the logs.</param>
/// <param name="Waiters">Who waited for the writer, told once the writer has left its lock.</param>
internal sealed record SlowConsumerBreach(long WaitingBytes, string Reason, WriterWaiters Waiters);
