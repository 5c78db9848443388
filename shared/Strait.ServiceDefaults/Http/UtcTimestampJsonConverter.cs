using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Strait.ServiceDefaults.Http;

/// <summary>Timestamps go out as RFC 3339 in UTC with a <c>Z</c> and trailing zeros trimmed, whatever offset the value carried.</summary>
public sealed class UtcTimestampJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
}
