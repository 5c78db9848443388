using System.Security.Cryptography;
using System.Text;

namespace Strait.Infrastructure;

/// <summary>The folder local servers keep their data in: a throw-away temp folder, or a persistent one.</summary>
internal sealed class DataFolder
{
    private const UnixFileMode Traversable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private DataFolder(string root, bool isPersistent)
    {
        Root = root;
        IsPersistent = isPersistent;
    }

    public string Root { get; }

    public bool IsPersistent { get; }

    /// <summary>
    /// Creates the folder. As root the servers run under their own accounts, which must be able to reach it: a
    /// persistent folder under a private parent (say <c>/root/src/strait/.strait</c>) moves to <c>/var/tmp</c>,
    /// under a name derived from the requested path so every run finds the same data.
    /// </summary>
    public static DataFolder Create(string? dataDirectory, bool forServiceAccounts, Action<string> log)
    {
        if (dataDirectory is null)
        {
            var temporary = Directory.CreateTempSubdirectory("strait-").FullName;
            MakeTraversable(temporary, forServiceAccounts);
            return new DataFolder(temporary, isPersistent: false);
        }

        var requested = Path.GetFullPath(dataDirectory);
        var root = requested;
        if (forServiceAccounts && !OthersCanReach(Path.GetDirectoryName(requested)))
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(requested)))[..12];
            root = Path.Combine("/var/tmp", $"strait-{hash}");
            log($"{requested} sits under a folder the postgres/rabbitmq accounts cannot enter; server data lives in {root}");
        }

        Directory.CreateDirectory(root);
        MakeTraversable(root, forServiceAccounts);
        return new DataFolder(root, isPersistent: true);
    }

    /// <summary>A sub-folder, created if missing.</summary>
    public string Child(string name) => Directory.CreateDirectory(Path.Combine(Root, name)).FullName;

    public void DeleteIfTemporary()
    {
        if (IsPersistent)
        {
            return;
        }

        // A server's last writes can race the first attempt.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(Root))
                {
                    Directory.Delete(Root, recursive: true);
                }

                return;
            }
            catch (IOException) when (attempt < 5)
            {
                Thread.Sleep(200);
            }
        }
    }

    private static void MakeTraversable(string path, bool forServiceAccounts)
    {
        if (forServiceAccounts && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, Traversable);
        }
    }

    private static bool OthersCanReach(string? path)
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        for (var directory = path is null ? null : new DirectoryInfo(path); directory is not null; directory = directory.Parent)
        {
            if (directory.Exists && !directory.UnixFileMode.HasFlag(UnixFileMode.OtherExecute))
            {
                return false;
            }
        }

        return true;
    }
}
