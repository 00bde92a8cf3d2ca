namespace Hub.Server.Streams;

/// <summary>Where a replay left a subscription: the last row it read (or the head it started live from), and whether the history was there.</summary>
internal readonly record struct ReplayOutcome(StreamPosition Position, bool Recovered);
