using System.Text.Json.Serialization;

namespace Strait.ServiceDefaults.Security;

[JsonSerializable(typeof(RunTokenService.Header))]
[JsonSerializable(typeof(RunTokenService.Payload))]
internal sealed partial class RunTokenJsonContext : JsonSerializerContext;
