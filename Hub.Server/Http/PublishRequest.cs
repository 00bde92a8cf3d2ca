namespace Hub.Server.Http;

/// <summary>The body of <c>POST /api/publish</c>: the arguments of the hub's <c>Publish</c>.</summary>
public sealed record PublishRequest(string? Database, string? Channel, string? Payload);
