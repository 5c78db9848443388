namespace Strait.AppHost;

/// <summary>One line at a time on stdout, prefixed with where it came from: <c>[runs-api] …</c>, <c>[infra] …</c>.</summary>
public static class ConsoleOutput
{
    public const string AppHost = "apphost";

    private static readonly Lock Gate = new();

    public static void Line(string source, string text)
    {
        lock (Gate)
        {
            Console.Out.WriteLine($"[{source}] {text}");
        }
    }
}
