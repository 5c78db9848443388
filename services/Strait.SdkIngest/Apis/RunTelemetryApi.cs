using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Strait.SdkIngest.Clients;
using Strait.SdkIngest.Data;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.SdkIngest.Apis;

/// <summary>
/// Management reads of SDK data: <c>/v1/runs/{id}/checkpoints|usage|tool-calls|outputs</c> (cursor pages) and
/// <c>/state</c> (plain array). The caller's project is checked against the local run copy: another project's run is 404.
/// </summary>
public static class RunTelemetryApi
{
    public static IEndpointRouteBuilder MapRunTelemetryApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/runs/{runId}").RequireScope(Scopes.RunsRead);
        group.MapGet("/checkpoints", ListCheckpointsAsync);
        group.MapGet("/usage", ListUsageAsync);
        group.MapGet("/tool-calls", ListToolCallsAsync);
        group.MapGet("/outputs", ListOutputsAsync);
        group.MapGet("/state", ListRunStateAsync);
        return app;
    }

    public sealed record CheckpointResponse(Guid Id, Guid RunId, int Sequence, string Source, JsonElement State, DateTimeOffset CreatedAt)
    {
        public static CheckpointResponse From(RunCheckpoint c) => new(c.Id, c.RunId, c.Sequence, c.Source, c.State.RootElement, c.CreatedAt);
    }

    public sealed record UsageResponse(
        Guid Id, Guid RunId, string Provider, string Model, long PromptTokens, long CompletionTokens, long TotalTokens, long CostMicrousd, DateTimeOffset CreatedAt)
    {
        public static UsageResponse From(RunUsage u) =>
            new(u.Id, u.RunId, u.Provider, u.Model, u.PromptTokens, u.CompletionTokens, u.TotalTokens, u.CostMicrousd, u.CreatedAt);
    }

    public sealed record ToolCallResponse(Guid Id, Guid RunId, string ToolName, JsonElement? Input, JsonElement? Output, long? DurationMs, string Status, DateTimeOffset CreatedAt)
    {
        public static ToolCallResponse From(RunToolCall t) =>
            new(t.Id, t.RunId, t.ToolName, t.Input?.RootElement, t.Output?.RootElement, t.DurationMs, t.Status, t.CreatedAt);
    }

    public sealed record OutputResponse(Guid Id, Guid RunId, string OutputKey, JsonElement? Schema, JsonElement Value, DateTimeOffset CreatedAt)
    {
        public static OutputResponse From(RunOutput o) => new(o.Id, o.RunId, o.OutputKey, o.Schema?.RootElement, o.Value.RootElement, o.CreatedAt);
    }

    public sealed record StateEntryResponse(Guid RunId, string StateKey, JsonElement Value, DateTimeOffset UpdatedAt)
    {
        public static StateEntryResponse From(RunStateEntry s) => new(s.RunId, s.Key, s.Value.RootElement, s.UpdatedAt);
    }

    public static async Task<List<StateEntryResponse>> ListStateAsync(IngestDbContext db, Guid runId, CancellationToken ct)
    {
        var rows = await db.RunStateEntries.AsNoTracking().Where(s => s.RunId == runId).OrderBy(s => s.Key).ToListAsync(ct);
        return rows.Select(StateEntryResponse.From).ToList();
    }

    // Newest sequence first. Concurrent checkpoints' timestamps need not follow their sequence, so the cursor's row id
    // is used to find where the previous page stopped.
    private static async Task<IResult> ListCheckpointsAsync(string runId, HttpRequest request, Caller caller, IngestDbContext db, CancellationToken ct)
    {
        var (id, page, error) = await ResolveAsync(runId, request, caller, db, ct);
        if (error is not null)
        {
            return error;
        }

        var query = db.RunCheckpoints.AsNoTracking().Where(c => c.RunId == id);
        if (page!.AfterTimestamp is not null)
        {
            var afterSequence = await db.RunCheckpoints.Where(c => c.RunId == id && c.Id == page.AfterId)
                .Select(c => (int?)c.Sequence).FirstOrDefaultAsync(ct);
            if (afterSequence is null)
            {
                return ApiResults.BadRequest("invalid cursor format");
            }

            query = query.Where(c => c.Sequence < afterSequence);
        }

        var rows = await query.OrderByDescending(c => c.Sequence).Take(page.Limit + 1).ToListAsync(ct);
        return TypedResults.Ok(page.ToPage(rows, c => (c.CreatedAt, c.Id), CheckpointResponse.From));
    }

    private static async Task<IResult> ListUsageAsync(string runId, HttpRequest request, Caller caller, IngestDbContext db, CancellationToken ct)
    {
        var (id, page, error) = await ResolveAsync(runId, request, caller, db, ct);
        if (error is not null)
        {
            return error;
        }

        var rows = await db.RunUsage.AsNoTracking().Where(u => u.RunId == id)
            .NewestFirst(page!, u => u.CreatedAt, u => u.Id).ToListAsync(ct);
        return TypedResults.Ok(page!.ToPage(rows, u => (u.CreatedAt, u.Id), UsageResponse.From));
    }

    private static async Task<IResult> ListToolCallsAsync(string runId, HttpRequest request, Caller caller, IngestDbContext db, CancellationToken ct)
    {
        var (id, page, error) = await ResolveAsync(runId, request, caller, db, ct);
        if (error is not null)
        {
            return error;
        }

        var rows = await db.RunToolCalls.AsNoTracking().Where(t => t.RunId == id)
            .NewestFirst(page!, t => t.CreatedAt, t => t.Id).ToListAsync(ct);
        return TypedResults.Ok(page!.ToPage(rows, t => (t.CreatedAt, t.Id), ToolCallResponse.From));
    }

    // Newest first by write time: the original sorted by key but paged by time, which skipped rows.
    private static async Task<IResult> ListOutputsAsync(string runId, HttpRequest request, Caller caller, IngestDbContext db, CancellationToken ct)
    {
        var (id, page, error) = await ResolveAsync(runId, request, caller, db, ct);
        if (error is not null)
        {
            return error;
        }

        var rows = await db.RunOutputs.AsNoTracking().Where(o => o.RunId == id)
            .NewestFirst(page!, o => o.CreatedAt, o => o.Id).ToListAsync(ct);
        return TypedResults.Ok(page!.ToPage(rows, o => (o.CreatedAt, o.Id), OutputResponse.From));
    }

    private static async Task<IResult> ListRunStateAsync(string runId, HttpRequest request, Caller caller, IngestDbContext db, CancellationToken ct)
    {
        var (id, _, error) = await ResolveAsync(runId, request, caller, db, ct);
        return error ?? TypedResults.Ok(await ListStateAsync(db, id, ct));
    }

    private static async Task<(Guid Id, PageRequest? Page, IResult? Error)> ResolveAsync(
        string runId, HttpRequest request, Caller caller, IngestDbContext db, CancellationToken ct)
    {
        if (!Guid.TryParse(runId, out var id)
            || !await request.HttpContext.RequestServices.GetRequiredService<RunCopySeeder>().IsVisibleAsync(db, id, caller, ct))
        {
            return (id, null, ApiResults.NotFound("run not found"));
        }

        return PageRequest.TryParse(request, out var page, out var error) ? (id, page, null) : (id, null, error);
    }
}
