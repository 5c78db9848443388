using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Strait.SdkIngest.Clients;
using Strait.SdkIngest.Data;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.SdkIngest.Apis;

/// <summary>
/// <c>GET /v1/runs/{id}/debug-bundle</c>: everything known about a run in one object — the run (from runs-api, which owns
/// it) and sdk-ingest's telemetry: events (oldest first), checkpoints (by sequence), usage, tool calls, outputs and the
/// resource samples. Each list holds at most <see cref="MaxItems"/> entries (the newest ones), so a chatty run still
/// gives a bounded answer; the paged reads have the rest.
/// </summary>
public static class RunDebugBundleApi
{
    public const int MaxItems = 1_000;

    public static IEndpointRouteBuilder MapRunDebugBundleApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/runs/{runId}/debug-bundle", GetAsync).RequireScope(Scopes.RunsRead);
        return app;
    }

    public sealed record ResourceSnapshotResponse(Guid Id, Guid RunId, double CpuPercent, double MemoryMb, double MemoryPercent, DateTimeOffset CreatedAt)
    {
        public static ResourceSnapshotResponse From(RunEvent e)
        {
            var data = e.Data?.RootElement;
            return new(e.Id, e.RunId, Number(data, "cpu_percent"), Number(data, "memory_mb"), Number(data, "memory_percent"), e.CreatedAt);
        }

        private static double Number(JsonElement? data, string name) =>
            data is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;
    }

    public sealed record DebugBundleResponse(
        JsonElement Run,
        IReadOnlyList<RunEventsApi.RunEventResponse> Events,
        IReadOnlyList<RunTelemetryApi.CheckpointResponse> Checkpoints,
        IReadOnlyList<RunTelemetryApi.UsageResponse> Usage,
        IReadOnlyList<RunTelemetryApi.ToolCallResponse> ToolCalls,
        IReadOnlyList<RunTelemetryApi.OutputResponse> Outputs,
        IReadOnlyList<ResourceSnapshotResponse> ResourceSnapshots);

    private static async Task<IResult> GetAsync(string runId, Caller caller, IngestDbContext db, RunsApiClient runs, RunCopySeeder copies,
        CancellationToken ct)
    {
        if (!Guid.TryParse(runId, out var id) || !await copies.IsVisibleAsync(db, id, caller, ct))
        {
            return ApiResults.NotFound("run not found");
        }

        var run = await runs.GetRunAsync(id, ct);
        if (run is null)
        {
            return ApiResults.NotFound("run not found");
        }

        // Newest MaxItems of each, then shown in their natural order.
        var events = (await db.RunEvents.AsNoTracking().Where(e => e.RunId == id)
            .OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id).Take(MaxItems).ToListAsync(ct)).AsEnumerable().Reverse().ToList();
        var checkpoints = await db.RunCheckpoints.AsNoTracking().Where(c => c.RunId == id).OrderByDescending(c => c.Sequence).Take(MaxItems).ToListAsync(ct);
        var usage = await db.RunUsage.AsNoTracking().Where(u => u.RunId == id).OrderByDescending(u => u.CreatedAt).Take(MaxItems).ToListAsync(ct);
        var toolCalls = await db.RunToolCalls.AsNoTracking().Where(t => t.RunId == id).OrderByDescending(t => t.CreatedAt).Take(MaxItems).ToListAsync(ct);
        var outputs = await db.RunOutputs.AsNoTracking().Where(o => o.RunId == id).OrderBy(o => o.OutputKey).Take(MaxItems).ToListAsync(ct);
        var samples = await db.RunEvents.AsNoTracking().Where(e => e.RunId == id && e.Type == "resource_sample")
            .OrderByDescending(e => e.CreatedAt).Take(MaxItems).ToListAsync(ct);

        return TypedResults.Ok(new DebugBundleResponse(
            run.Value,
            events.Select(RunEventsApi.RunEventResponse.From).ToList(),
            checkpoints.Select(RunTelemetryApi.CheckpointResponse.From).ToList(),
            usage.Select(RunTelemetryApi.UsageResponse.From).ToList(),
            toolCalls.Select(RunTelemetryApi.ToolCallResponse.From).ToList(),
            outputs.Select(RunTelemetryApi.OutputResponse.From).ToList(),
            samples.Select(ResourceSnapshotResponse.From).ToList()));
    }
}
