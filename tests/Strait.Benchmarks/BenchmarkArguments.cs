using System.Globalization;

namespace Strait.Benchmarks;

/// <summary>The <c>--name value</c> and <c>--flag</c> options every scenario reads.</summary>
public static class BenchmarkArguments
{
    public static int Number(IReadOnlyList<string> args, string name, int fallback) =>
        Value(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public static bool Has(IReadOnlyList<string> args, string name) => args.Contains(name);

    private static string? Value(IReadOnlyList<string> args, string name)
    {
        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] == name)
            {
                return args[i + 1];
            }
        }

        return null;
    }
}
