namespace Hub.Server.Streams;

/// <summary>
/// What one connection is known to have of one channel it resumed: every row up to <see cref="Position"/>, and every
/// notification fanned out live after the <see cref="FannedPositions.Count"/> <see cref="Stamp"/>.
/// </summary>
internal readonly record struct DeliveredMark(StreamPosition Position, long Stamp);
