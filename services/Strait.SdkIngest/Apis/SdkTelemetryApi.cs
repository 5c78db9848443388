using System.Globalization;
using System.Text.Json;
using Strait.Contracts.Telemetry;
using Strait.SdkIngest.Data;
using Strait.SdkIngest.Writes;
using Strait.ServiceDefaults.Http;

namespace Strait.SdkIngest.Apis;

/// <summary>
/// Append-only SDK telemetry: <c>/log</c>, <c>/progress</c>, <c>/resources</c> (run events, through the batching
/// <see cref="RunEventWriter"/>), <c>/usage</c> and <c>/tool-call</c> (the guard read plus one insert).
/// </summary>
public static class SdkTelemetryApi
{
    public static RouteGroupBuilder MapSdkTelemetryApi(this RouteGroupBuilder group)
    {
        group.MapPost("/log", LogAsync);
        group.MapPost("/progress", ProgressAsync);
        group.MapPost("/resources", ResourcesAsync);
        group.MapPost("/usage", UsageAsync);
        group.MapPost("/tool-call", ToolCallAsync);
        return group;
    }

    public sealed record LogRequest(string? Type, string? Level, string? Message, JsonElement? Data);

    public sealed record ProgressRequest(double? Percent, string? Message, string? Step, long? EtaSeconds);

    public sealed record ResourcesRequest(double? MemoryMb, double? MemoryPercent, double? CpuPercent);

    public sealed record UsageRequest(string? Provider, string? Model, long? PromptTokens, long? CompletionTokens, long? TotalTokens, long? CostMicrousd);

    public sealed record ToolCallRequest(string? ToolName, JsonElement? Input, JsonElement? Output, long? DurationMs, string? Status);

    private static async Task<IResult> LogAsync(Guid runId, LogRequest? body, HttpContext http, RunEventWriter writer, TimeProvider clock, CancellationToken ct)
    {
        body ??= new LogRequest(null, null, null, null);
        var errors = SdkRequestValidation.Log(body);
        if (errors.Count > 0)
        {
            return ApiResults.Validation(errors);
        }

        if (SdkRequestValidation.IsPresent(body.Data) && SdkRequestValidation.JsonBytes(body.Data!.Value) > SdkRequestValidation.MaxJsonBytes)
        {
            return ApiResults.Error(StatusCodes.Status413PayloadTooLarge, $"data exceeds {SdkRequestValidation.MaxJsonBytes} bytes");
        }

        var data = SdkRequestValidation.IsPresent(body.Data) ? body.Data!.Value.GetRawText() : "{}";
        return await AppendEventAsync(writer, runId, http, clock, body.Type ?? "log", body.Level ?? "info", body.Message!, data, RunFeedKinds.Log, ct);
    }

    private static async Task<IResult> ProgressAsync(Guid runId, ProgressRequest? body, HttpContext http, RunEventWriter writer, TimeProvider clock, CancellationToken ct)
    {
        body ??= new ProgressRequest(null, null, null, null);
        var errors = SdkRequestValidation.Progress(body);
        if (errors.Count > 0)
        {
            return ApiResults.Validation(errors);
        }

        var data = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["percent"] = body.Percent,
            ["step"] = body.Step,
            ["eta_seconds"] = body.EtaSeconds,
        }.Where(p => p.Value is not null).ToDictionary());
        return await AppendEventAsync(writer, runId, http, clock, "progress", "info", body.Message!, data, RunFeedKinds.Progress, ct);
    }

    private static async Task<IResult> ResourcesAsync(Guid runId, ResourcesRequest? body, HttpContext http, RunEventWriter writer, TimeProvider clock, CancellationToken ct)
    {
        body ??= new ResourcesRequest(null, null, null);
        var errors = SdkRequestValidation.Resources(body);
        if (errors.Count > 0)
        {
            return ApiResults.Validation(errors);
        }

        var memoryPercent = body.MemoryPercent ?? 0;
        var level = memoryPercent >= 90 ? "error" : memoryPercent >= 80 ? "warn" : "info";
        var message = string.Create(CultureInfo.InvariantCulture, $"memory {memoryPercent}%, cpu {body.CpuPercent ?? 0}%");
        var data = JsonSerializer.Serialize(new { memory_mb = body.MemoryMb ?? 0, memory_percent = memoryPercent, cpu_percent = body.CpuPercent ?? 0 });
        return await AppendEventAsync(writer, runId, http, clock, "resource_sample", level, message, data, null, ct);
    }

    private static async Task<IResult> UsageAsync(Guid runId, UsageRequest? body, HttpContext http, IngestDbContext db, TimeProvider clock, CancellationToken ct)
    {
        body ??= new UsageRequest(null, null, null, null, null, null);
        var errors = SdkRequestValidation.Usage(body);
        if (errors.Count > 0)
        {
            return ApiResults.Validation(errors);
        }

        var (_, refusal) = await SdkRunGuard.CheckAsync(db, runId, http, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var now = clock.GetUtcNow();
        var usage = new RunUsage
        {
            Id = Guid.CreateVersion7(now),
            RunId = runId,
            Provider = body.Provider!,
            Model = body.Model!,
            PromptTokens = body.PromptTokens ?? 0,
            CompletionTokens = body.CompletionTokens ?? 0,
            TotalTokens = body.TotalTokens ?? (body.PromptTokens ?? 0) + (body.CompletionTokens ?? 0),
            CostMicrousd = body.CostMicrousd ?? 0,
            CreatedAt = now,
        };
        db.RunUsage.Add(usage);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created((string?)null, RunTelemetryApi.UsageResponse.From(usage));
    }

    private static async Task<IResult> ToolCallAsync(Guid runId, ToolCallRequest? body, HttpContext http, IngestDbContext db, TimeProvider clock, CancellationToken ct)
    {
        body ??= new ToolCallRequest(null, null, null, null, null);
        var errors = SdkRequestValidation.ToolCall(body);
        if (errors.Count > 0)
        {
            return ApiResults.Validation(errors);
        }

        if ((SdkRequestValidation.IsPresent(body.Input) ? SdkRequestValidation.JsonBytes(body.Input!.Value) : 0)
            + (SdkRequestValidation.IsPresent(body.Output) ? SdkRequestValidation.JsonBytes(body.Output!.Value) : 0) > SdkRequestValidation.MaxJsonBytes)
        {
            return ApiResults.Error(StatusCodes.Status413PayloadTooLarge, $"input and output exceed {SdkRequestValidation.MaxJsonBytes} bytes");
        }

        var (_, refusal) = await SdkRunGuard.CheckAsync(db, runId, http, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var now = clock.GetUtcNow();
        var call = new RunToolCall
        {
            Id = Guid.CreateVersion7(now),
            RunId = runId,
            ToolName = body.ToolName!,
            Input = SdkRequestValidation.IsPresent(body.Input) ? JsonDocument.Parse(body.Input!.Value.GetRawText()) : null,
            Output = SdkRequestValidation.IsPresent(body.Output) ? JsonDocument.Parse(body.Output!.Value.GetRawText()) : null,
            DurationMs = body.DurationMs,
            Status = body.Status ?? "completed",
            CreatedAt = now,
        };
        db.RunToolCalls.Add(call);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created((string?)null, RunTelemetryApi.ToolCallResponse.From(call));
    }

    // Through the single writer: the guard is checked in the batch's INSERT (see RunEventWriter).
    private static async Task<IResult> AppendEventAsync(RunEventWriter writer, Guid runId, HttpContext http, TimeProvider clock,
        string type, string level, string message, string data, string? feedKind, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var runEvent = new RunEvent
        {
            Id = Guid.CreateVersion7(now),
            RunId = runId,
            ProjectId = "",
            Type = type,
            Level = level,
            Message = message,
            Data = JsonDocument.Parse(data),
            CreatedAt = now,
        };
        var result = await writer.AppendAsync(runEvent, SdkRunGuard.TokenAttempt(http), feedKind, ct);
        return result.Event is { } stored
            ? TypedResults.Created((string?)null, RunEventsApi.RunEventResponse.From(stored))
            : ApiResults.Error(result.Status, result.Message!);
    }
}
