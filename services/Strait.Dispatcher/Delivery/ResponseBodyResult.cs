using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Strait.Dispatcher.Delivery;

/// <summary>A response body as a run result: the raw text when it is JSON, else the text as a JSON string; none when empty.</summary>
public static class ResponseBodyResult
{
    // The result is stored and served as JSON, never embedded in HTML, so only what JSON requires is escaped.
    private static readonly JsonSerializerOptions StringOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string? From(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty || body.IndexOfAnyExcept(" \t\r\n"u8) < 0)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(body);
        return IsJson(body) ? text : JsonSerializer.Serialize(text, StringOptions);
    }

    private static bool IsJson(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
