namespace Hub.Server.Scaling;

/// <summary>The session holding a database's listener lock, as a standby sees it in <c>pg_stat_activity</c>.</summary>
/// <param name="ProcessId">Its backend's process id.</param>
/// <param name="Silent">How long ago its last statement started or ended; null when PostgreSQL does not track activity.</param>
/// <param name="Delivered">What its last heartbeat said it had sent, if its last statement was a heartbeat.</param>
public sealed record LockHolder(int ProcessId, TimeSpan? Silent, DateTime? Delivered);
