namespace Samples.Worker;

/// <summary>One row of the <c>orders</c> table, as loaded and as the table's trigger notifies it.</summary>
public sealed record Order(int Id, string Status, int Version);
