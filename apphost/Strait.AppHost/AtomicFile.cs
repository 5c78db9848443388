namespace Strait.AppHost;

/// <summary>Writes a file so readers (a test polling for dev.env, say) see the old content or the whole new one.</summary>
public static class AtomicFile
{
    public static async Task WriteAsync(string path, string content, UnixFileMode? mode, CancellationToken ct)
    {
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, content, ct);
        if (mode is { } unixMode && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, unixMode);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
