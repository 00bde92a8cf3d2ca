namespace Hub.Server.Delivery;

/// <summary>What one <see cref="DeliveryBacklog.Take"/> found.</summary>
/// <param name="Item">The envelope or <c>SentAsync</c> mark to send next; null when there is none.</param>
/// <param name="IsOverloadResync">Whether <paramref name="Item"/> is the resync for a span dropped over the bounds.</param>
/// <param name="SpanSize">How many notifications that span dropped.</param>
/// <param name="Waiting">How many items wait behind it.</param>
/// <param name="Dropped">How many notifications this take dropped over the bounds.</param>
/// <param name="Fenced">How many notifications this take dropped because the lease was over.</param>
/// <param name="Completed">Whether the backlog stopped accepting items.</param>
/// <param name="Arrived">Completes when an item arrives, when there was none.</param>
internal readonly record struct BacklogTake(
    DeliveryItem? Item, bool IsOverloadResync, int SpanSize, int Waiting, int Dropped, int Fenced, bool Completed, Task Arrived);
