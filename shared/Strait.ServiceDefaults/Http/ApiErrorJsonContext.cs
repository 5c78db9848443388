using System.Text.Json.Serialization;

namespace Strait.ServiceDefaults.Http;

/// <summary>Source-generated serializer for error bodies written outside MVC/minimal-API result pipelines.</summary>
[JsonSerializable(typeof(ApiError))]
public sealed partial class ApiErrorJsonContext : JsonSerializerContext;
