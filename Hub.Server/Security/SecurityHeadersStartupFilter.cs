namespace Hub.Server.Security;

/// <summary>
/// Puts <see cref="SecurityHeaders"/> on every response the hub sends, at the front of the pipeline, so the live
/// page, the API, errors and refusals all carry them whatever the application maps.
/// </summary>
internal sealed class SecurityHeadersStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(static (context, nextMiddleware) =>
        {
            SecurityHeaders.Apply(context.Response);
            return nextMiddleware(context);
        });
        next(app);
    };
}
