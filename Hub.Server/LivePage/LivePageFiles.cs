using Microsoft.Extensions.FileProviders;

namespace Hub.Server.LivePage;

/// <summary>
/// The live page's files, embedded in this assembly at build time (see Hub.Server.csproj).
/// </summary>
/// <remarks>
/// Embedded rather than read from <c>wwwroot</c> on disk, because the web root is resolved against the working
/// directory: the hub started as <c>dotnet path/to/Hub.Server.dll</c> from anywhere would otherwise serve nothing.
/// </remarks>
internal static class LivePageFiles
{
    /// <summary>The prefix of the page's resource names; the csproj gives each file this logical name.</summary>
    public const string ResourcePrefix = "Hub.Server.LivePage.wwwroot";

    /// <summary>The page's files, as a file provider rooted at the page.</summary>
    public static IFileProvider Create() => new EmbeddedFileProvider(typeof(LivePageFiles).Assembly, ResourcePrefix);
}
