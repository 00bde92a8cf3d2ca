namespace Hub.Server.Listening;

/// <summary>What a standby learnt from one bounded wait for a database's leadership.</summary>
/// <param name="Leads">Whether the standby leads now.</param>
/// <param name="LeaderDelivered">
/// The newest receive time the leader reported as sent in its last heartbeat, if the wait saw one: everything the
/// leader received up to then reached the backplane, so a takeover's resync needs to start no earlier.
/// </param>
public readonly record struct LeadershipWait(bool Leads, DateTime? LeaderDelivered);
