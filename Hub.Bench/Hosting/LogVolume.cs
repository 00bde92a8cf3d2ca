namespace Hub.Bench.Hosting;

/// <summary>How much a hub has logged so far: lines and UTF-8 bytes.</summary>
public readonly record struct LogVolume(long Lines, long Bytes)
{
    /// <summary>What the log file at <paramref name="path"/> holds now (nothing when it does not exist).</summary>
    public static LogVolume OfFile(string path)
    {
        if (!File.Exists(path))
        {
            return default;
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new byte[64 * 1024];
        long lines = 0;
        int read;
        while ((read = file.Read(buffer)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }

        return new LogVolume(lines, file.Length);
    }

    public static LogVolume operator -(LogVolume to, LogVolume from) => new(to.Lines - from.Lines, to.Bytes - from.Bytes);
}
