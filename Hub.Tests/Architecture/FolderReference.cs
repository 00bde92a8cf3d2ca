namespace Hub.Tests.Architecture;

/// <summary>One place where a file of folder <paramref name="From"/> names folder <paramref name="To"/>.</summary>
/// <param name="From">The folder (namespace under <c>Hub.Server</c>) of the file; <see cref="SourceFolders.Root"/> for the root.</param>
/// <param name="To">The folder it uses.</param>
/// <param name="File">The file, relative to the project.</param>
/// <param name="Line">The line, 1-based.</param>
public sealed record FolderReference(string From, string To, string File, int Line)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}: {From} uses {To}";
}
