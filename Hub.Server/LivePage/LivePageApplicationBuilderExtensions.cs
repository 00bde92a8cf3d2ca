using Microsoft.Net.Http.Headers;

namespace Hub.Server.LivePage;

/// <summary>
/// Serves the live page: pick a database and channels, watch notifications arrive, see reconnects and resyncs.
/// </summary>
public static class LivePageApplicationBuilderExtensions
{
    /// <summary>
    /// Serves the live page at <c>/</c> (its scripts under <c>/lib</c>), from files embedded in the hub.
    /// </summary>
    public static IApplicationBuilder UseLivePage(this IApplicationBuilder app)
    {
        var files = LivePageFiles.Create();
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            // The files change with each hub version while their URLs stay the same: revalidate every time
            // (cheap, thanks to ETag) so an upgraded hub never runs an old script.
            OnPrepareResponse = static context => context.Context.Response.Headers[HeaderNames.CacheControl] = "no-cache",
        });
        return app;
    }
}
