namespace Strait.Infrastructure.Processes;

/// <summary>The OS account a server runs under: the current one, or a dedicated one when we are root.</summary>
internal sealed class ServiceAccount
{
    private ServiceAccount(string? userName) => UserName = userName;

    public static ServiceAccount Current { get; } = new(null);

    /// <summary>The account to switch to, or null to run as the current user.</summary>
    public string? UserName { get; }

    /// <summary>
    /// As root, <paramref name="name"/> (PostgreSQL refuses to run as root; Debian's RabbitMQ expects its own
    /// account); otherwise the current user. Null when root and the account does not exist.
    /// </summary>
    public static ServiceAccount? For(string name) =>
        !Environment.IsPrivilegedProcess ? Current : Exists(name) ? new ServiceAccount(name) : null;

    /// <summary>Gives <paramref name="path"/> and everything below it to the account (folders we create are root's).</summary>
    public async Task TakeOwnershipAsync(string path, CancellationToken ct)
    {
        if (UserName is not null)
        {
            await CommandRunner.RunCheckedAsync("chown", ["-R", $"{UserName}:", path], Current, null, null, ct);
        }
    }

    private static bool Exists(string name)
    {
        try
        {
            return File.ReadLines("/etc/passwd").Any(line => line.StartsWith(name + ":", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }
}
