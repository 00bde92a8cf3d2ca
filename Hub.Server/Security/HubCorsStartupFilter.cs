namespace Hub.Server.Security;

/// <summary>
/// Puts the CORS middleware with the allow-list of <see cref="HubCorsOptions"/> at the front of the pipeline.
/// </summary>
/// <remarks>
/// The policy is the default one, applied to every request, so it needs no endpoint metadata and can run before
/// routing; that keeps the application's own pipeline (<c>Program.cs</c>) free of security wiring.
/// </remarks>
internal sealed class HubCorsStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseCors();
        next(app);
    };
}
