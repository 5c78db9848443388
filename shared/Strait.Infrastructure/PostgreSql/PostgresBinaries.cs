using System.Globalization;

namespace Strait.Infrastructure.PostgreSql;

/// <summary>A folder holding <c>initdb</c> and <c>postgres</c>.</summary>
internal sealed record PostgresBinaries(string Directory, int? MajorVersion)
{
    public const string InstallHint =
        "PostgreSQL server binaries (initdb, postgres) not found in /usr/lib/postgresql/*/bin or on PATH: "
        + "apt-get install -y postgresql-15 (Debian/Ubuntu; the service need not run)";

    public string InitDb => Path.Combine(Directory, "initdb");

    public string Postgres => Path.Combine(Directory, "postgres");

    /// <summary>
    /// The version-numbered install folders (Debian's /usr/lib/postgresql/N/bin, RHEL's /usr/pgsql-N/bin),
    /// highest first unless <paramref name="preferredMajor"/> (the version of existing data) is installed; then PATH.
    /// </summary>
    public static PostgresBinaries? Find(int? preferredMajor = null)
    {
        var versioned = Versioned("/usr/lib/postgresql", name => name, "bin")
            .Concat(Versioned("/usr", name => name.StartsWith("pgsql-", StringComparison.Ordinal) ? name[6..] : null, "bin"))
            .OrderByDescending(candidate => candidate.MajorVersion == preferredMajor)
            .ThenByDescending(candidate => candidate.MajorVersion)
            .ToList();

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => new PostgresBinaries(directory, null));

        return versioned.Concat(onPath).FirstOrDefault(candidate => File.Exists(candidate.InitDb) && File.Exists(candidate.Postgres));
    }

    private static IEnumerable<PostgresBinaries> Versioned(string parent, Func<string, string?> versionOf, string bin)
    {
        if (!System.IO.Directory.Exists(parent))
        {
            yield break;
        }

        foreach (var folder in System.IO.Directory.EnumerateDirectories(parent))
        {
            if (versionOf(Path.GetFileName(folder)) is { } text
                && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                yield return new PostgresBinaries(Path.Combine(folder, bin), version);
            }
        }
    }
}
