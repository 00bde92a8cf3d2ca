using System.Globalization;
using System.IO.Compression;
using System.Xml.Linq;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Packaging;

/// <summary>
/// The NuGet package is one a stranger can use: packed from the built client with its metadata, symbols and readme,
/// restored from a local folder into a new console app that compiles the README's .NET example.
/// </summary>
public sealed class ClientPackageTests
{
    private const string PackageId = "NotifyHub.Client";

    [Fact]
    public async Task Package_restores_from_a_folder_and_the_readme_example_compiles_against_it()
    {
        var scratch = Directory.CreateTempSubdirectory("hub-package-");
        // A version of its own, so that the global packages folder can never serve an older pack of this test.
        var version = string.Create(CultureInfo.InvariantCulture, $"0.0.0-pack.{DateTime.UtcNow:yyyyMMddHHmmssfff}");
        try
        {
            var feed = Directory.CreateDirectory(Path.Combine(scratch.FullName, "feed")).FullName;
            await ExternalProcess.RunAsync("dotnet", ["pack", RepositoryFiles.PathOf("Hub.Client", "Hub.Client.csproj"), "-c", "Release", "--no-build", "--no-restore", "-o", feed, $"-p:PackageVersion={version}", "-nologo"], TimeSpan.FromMinutes(2));

            var package = Path.Combine(feed, $"{PackageId}.{version}.nupkg");
            Assert.True(File.Exists(Path.Combine(feed, $"{PackageId}.{version}.snupkg")), "the symbols package is packed beside it");
            AssertMetadata(package);

            var readme = RepositoryFiles.PathOf("README.md");
            var example = ReadmeSnippets.After(readme, "## Using it from .NET", "csharp");
            Assert.Equal(example, ReadmeSnippets.After(RepositoryFiles.PathOf("Hub.Client", "README.md"), "# NotifyHub.Client", "csharp"));

            var app = Directory.CreateDirectory(Path.Combine(scratch.FullName, "app")).FullName;
            await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """, TestContext.Current.CancellationToken);
            // Outside the repository: nothing of its Directory.Build.props applies, as for any consumer.
            await File.WriteAllTextAsync(Path.Combine(app, "Directory.Build.props"), "<Project />", TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(Path.Combine(app, "app.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="{PackageId}" Version="{version}" />
                  </ItemGroup>
                </Project>
                """, TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), example, TestContext.Current.CancellationToken);

            await ExternalProcess.RunAsync("dotnet", ["build", app, "-c", "Release", "-nologo", "-v", "quiet"], TimeSpan.FromMinutes(3), app);

            Assert.True(File.Exists(Path.Combine(app, "bin", "Release", "net10.0", "Hub.Client.dll")), "the client came from the package");
        }
        finally
        {
            scratch.Delete(recursive: true);
            var cached = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), PackageId.ToLowerInvariant(), version);
            if (Directory.Exists(cached))
            {
                Directory.Delete(cached, recursive: true);
            }
        }
    }

    private static void AssertMetadata(string package)
    {
        using var archive = ZipFile.OpenRead(package);
        Assert.NotNull(archive.GetEntry("README.md"));
        Assert.NotNull(archive.GetEntry("lib/net10.0/Hub.Client.dll"));
        var nuspecEntry = archive.GetEntry($"{PackageId}.nuspec");
        Assert.NotNull(nuspecEntry);
        using var stream = nuspecEntry.Open();
        var metadata = XDocument.Load(stream).Root!.Elements().Single(static e => e.Name.LocalName == "metadata");
        string? Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        var license = metadata.Elements().Single(static e => e.Name.LocalName == "license");
        Assert.Equal("expression", license.Attribute("type")?.Value);
        Assert.Equal("MIT", license.Value);
        Assert.Equal("README.md", Value("readme"));
        Assert.Equal("Notify Hub contributors", Value("authors"));
        Assert.StartsWith("https://", Value("projectUrl"), StringComparison.Ordinal);
        var repository = metadata.Elements().Single(static e => e.Name.LocalName == "repository");
        Assert.Equal(Value("projectUrl"), repository.Attribute("url")?.Value);
        // Source Link recorded the commit the package was built from.
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? string.Empty);
        Assert.Contains("postgresql", Value("tags") ?? string.Empty, StringComparison.Ordinal);
    }
}
