namespace Hub.Server.Delivery;

/// <summary>A connection's writer that can hold what a <see cref="DeferredFlushes"/> run sends it and write it in one piece.</summary>
internal interface IRunWriter
{
    /// <summary>Writes what the run held (as one batch where it fits), then hands the socket back.</summary>
    void ReleaseHeld();
}
