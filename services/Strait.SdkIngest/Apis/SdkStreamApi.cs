using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Strait.Contracts.Telemetry;
using Strait.SdkIngest.Data;
using Strait.SdkIngest.Feed;
using Strait.ServiceDefaults.Http;

namespace Strait.SdkIngest.Apis;

/// <summary>
/// <c>POST /stream</c>: an output chunk (an LLM's tokens as they come) for whoever watches the run live. Nothing is
/// stored (routes §3.3: fan-out only); after the run guard the chunk joins the live feed as a <c>stream</c> entry whose
/// data is the frame listeners get: <c>{type:"stream_chunk", run_id, stream_id, chunk, done, timestamp}</c>.
/// </summary>
public static class SdkStreamApi
{
    public const int MaxStreamIdLength = 256;

    public static RouteGroupBuilder MapSdkStreamApi(this RouteGroupBuilder group)
    {
        group.MapPost("/stream", StreamAsync);
        return group;
    }

    public sealed record StreamRequest(JsonElement? Chunk, string? StreamId, bool? Done);

    public sealed record StreamChunkFrame(string Type, Guid RunId, string StreamId, string Chunk, bool Done, DateTimeOffset Timestamp);

    public static List<string> Validate(StreamRequest body)
    {
        var errors = new List<string>();
        var chunk = body.Chunk;
        if (SdkRequestValidation.IsPresent(chunk) && chunk!.Value.ValueKind != JsonValueKind.String)
        {
            errors.Add("chunk: must be a string");
        }
        else if (!SdkRequestValidation.IsPresent(chunk) && body.Done != true)
        {
            errors.Add("chunk: is required unless done is true");
        }

        if (body.StreamId is { } streamId && (string.IsNullOrWhiteSpace(streamId) || streamId.Length > MaxStreamIdLength))
        {
            errors.Add($"stream_id: must be 1 to {MaxStreamIdLength} characters");
        }

        return errors;
    }

    private static async Task<IResult> StreamAsync(Guid runId, StreamRequest? body, HttpContext http, IngestDbContext db, RunFeedPublisher feed,
        IOptions<JsonOptions> json, TimeProvider clock, CancellationToken ct)
    {
        body ??= new StreamRequest(null, null, null);
        var errors = Validate(body);
        if (errors.Count > 0)
        {
            return ApiResults.Validation(errors);
        }

        var (run, refusal) = await SdkRunGuard.CheckAsync(db, runId, http, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var now = clock.GetUtcNow();
        var frame = new StreamChunkFrame("stream_chunk", runId, body.StreamId ?? "default",
            SdkRequestValidation.IsPresent(body.Chunk) ? body.Chunk!.Value.GetString()! : "", body.Done == true, now);
        feed.Enqueue([new RunFeedEntry
        {
            RunId = runId,
            ProjectId = run!.ProjectId,
            Kind = RunFeedKinds.Stream,
            Data = JsonSerializer.Serialize(frame, json.Value.SerializerOptions),
            At = now,
        }]);
        return TypedResults.Ok(new { status = "ok" });
    }
}
