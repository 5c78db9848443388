using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.Contracts.Runs;
using Strait.SdkIngest.Data;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Json;

namespace Strait.SdkIngest.Apis;

/// <summary>
/// Keyed and numbered run data written by the SDK: <c>/checkpoint</c> (sequence 1, 2, 3… per run), <c>/output</c>
/// (upsert per key), <c>/annotate</c> (merged per key) and the run-scoped key/value store <c>/state</c>.
/// </summary>
public static class SdkRunDataApi
{
    public static RouteGroupBuilder MapSdkRunDataApi(this RouteGroupBuilder group)
    {
        group.MapPost("/checkpoint", CheckpointAsync);
        group.MapPost("/output", OutputAsync);
        group.MapPost("/annotate", AnnotateAsync);
        group.MapPost("/state", SetStateAsync);
        group.MapGet("/state", ListStateAsync);
        group.MapGet("/state/{key}", GetStateAsync);
        group.MapDelete("/state/{key}", DeleteStateAsync);
        return group;
    }

    public sealed record CheckpointRequest(JsonElement? State, string? Source);

    public sealed record OutputRequest(string? OutputKey, JsonElement? Value, JsonElement? Schema);

    public sealed record StateRequest(string? Key, JsonElement? Value);

    public sealed record AnnotationsResponse(Guid RunId, IReadOnlyDictionary<string, string> Annotations);

    private static async Task<IResult> CheckpointAsync(Guid runId, CheckpointRequest? body, HttpContext http, IngestDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var errors = new List<string>();
        if (!SdkRequestValidation.IsPresent(body?.State))
        {
            errors.Add("state: is required");
        }

        if (body?.Source is { Length: 0 or > 64 })
        {
            errors.Add("source: must be 1 to 64 characters");
        }

        if (errors.Count > 0)
        {
            return ApiResults.Validation(errors);
        }

        var state = body!.State!.Value.GetRawText();
        if (SdkRequestValidation.JsonBytes(body.State.Value) > SdkRequestValidation.MaxJsonBytes)
        {
            return ApiResults.Error(StatusCodes.Status413PayloadTooLarge, $"state exceeds {SdkRequestValidation.MaxJsonBytes} bytes");
        }

        var (_, refusal) = await SdkRunGuard.CheckAsync(db, runId, http, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var now = clock.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var source = body.Source ?? "sdk";
        // The counter lives on the run's row: the UPDATE's row lock serialises concurrent checkpoints, so the sequence
        // has no gaps or duplicates, in one statement.
        var rows = await db.RunCheckpoints.FromSql($"""
            WITH next AS (
                UPDATE ingest.run_states SET checkpoint_sequence = checkpoint_sequence + 1
                WHERE run_id = {runId} RETURNING checkpoint_sequence)
            INSERT INTO ingest.run_checkpoints (id, run_id, sequence, source, state, created_at)
            SELECT {id}, {runId}, checkpoint_sequence, {source}, CAST({state} AS jsonb), {now} FROM next
            RETURNING *
            """).AsNoTracking().AsAsyncEnumerable().ToListAsync(ct);
        return rows.Count == 0
            ? ApiResults.NotFound("run not found")
            : TypedResults.Created((string?)null, RunTelemetryApi.CheckpointResponse.From(rows[0]));
    }

    private static async Task<IResult> OutputAsync(Guid runId, OutputRequest? body, HttpContext http, IngestDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var errors = new List<string>();
        SdkRequestValidation.Required(errors, "output_key", body?.OutputKey, SdkRequestValidation.MaxKeyLength);
        if (!SdkRequestValidation.IsPresent(body?.Value))
        {
            errors.Add("value: is required");
        }

        if (SdkRequestValidation.IsPresent(body?.Schema) && body!.Schema!.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
        {
            errors.Add("schema: must be a JSON Schema (object or boolean)");
        }

        if (errors.Count > 0)
        {
            return ApiResults.Validation(errors);
        }

        var schema = SdkRequestValidation.IsPresent(body!.Schema) ? body.Schema!.Value.GetRawText() : null;
        var value = body.Value!.Value.GetRawText();
        if (SdkRequestValidation.JsonBytes(body.Value.Value) + (schema?.Length ?? 0) > SdkRequestValidation.MaxJsonBytes)
        {
            return ApiResults.Error(StatusCodes.Status413PayloadTooLarge, $"value exceeds {SdkRequestValidation.MaxJsonBytes} bytes");
        }

        if (schema is not null && await JsonSchemaValidator.ValidateAsync(schema, value, ct) is { } mismatch)
        {
            return ApiResults.Error(StatusCodes.Status422UnprocessableEntity, "value does not match schema", mismatch);
        }

        var (_, refusal) = await SdkRunGuard.CheckAsync(db, runId, http, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var now = clock.GetUtcNow();
        var output = new RunOutput
        {
            Id = Guid.CreateVersion7(now),
            RunId = runId,
            OutputKey = body.OutputKey!,
            Schema = schema is null ? null : JsonDocument.Parse(schema),
            Value = JsonDocument.Parse(value),
            CreatedAt = now,
        };
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO ingest.run_outputs (id, run_id, output_key, schema, value, created_at)
            VALUES ({output.Id}, {runId}, {output.OutputKey}, CAST({schema} AS jsonb), CAST({value} AS jsonb), {now})
            ON CONFLICT (run_id, output_key) DO UPDATE SET
                id = excluded.id, schema = excluded.schema, value = excluded.value, created_at = excluded.created_at
            """, ct);
        return TypedResults.Created((string?)null, RunTelemetryApi.OutputResponse.From(output));
    }

    // The body is the map itself (the SDK reference's shape) or {"annotations": {...}} (the route inventory's).
    // The rows here are the SDK's record; runs-api merges the set into the run's metadata from RunAnnotated, which commits
    // with them (outbox), so GET /v1/runs/{id} shows the annotations moments later and never loses one.
    private static async Task<IResult> AnnotateAsync(Guid runId, JsonElement? body, HttpContext http, IngestDbContext db, IPublishEndpoint publish,
        TimeProvider clock, CancellationToken ct)
    {
        if (body is not { ValueKind: JsonValueKind.Object } root)
        {
            return ApiResults.Validation(["annotations: at least one entry is required"]);
        }

        var map = root.TryGetProperty("annotations", out var wrapped) && wrapped.ValueKind == JsonValueKind.Object ? wrapped : root;
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new List<string>();
        foreach (var property in map.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                errors.Add($"annotations.{property.Name}: value must be a string");
                continue;
            }

            annotations[property.Name] = property.Value.GetString()!;
        }

        if (annotations.Count > SdkRequestValidation.MaxAnnotations)
        {
            // The route inventory documents 400 for too many entries; the other field failures are 422.
            return ApiResults.BadRequest($"at most {SdkRequestValidation.MaxAnnotations} annotations per call");
        }

        errors.AddRange(SdkRequestValidation.Annotations(annotations));
        if (errors.Count > 0)
        {
            return ApiResults.Validation(errors);
        }

        var (_, refusal) = await SdkRunGuard.CheckAsync(db, runId, http, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var keys = annotations.Keys.ToArray();
        var values = keys.Select(k => annotations[k]).ToArray();
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO ingest.run_annotations (run_id, key, value, updated_at)
            SELECT {runId}, k, v, {now} FROM unnest({keys}::text[], {values}::text[]) AS t(k, v)
            ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """, ct);
        var merged = await db.RunAnnotations.AsNoTracking().Where(a => a.RunId == runId).OrderBy(a => a.Key)
            .ToDictionaryAsync(a => a.Key, a => a.Value, StringComparer.Ordinal, ct);
        await publish.Publish(new RunAnnotated { RunId = runId, Annotations = merged, At = now }, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Ok(new AnnotationsResponse(runId, merged));
    }

    private static async Task<IResult> SetStateAsync(Guid runId, StateRequest? body, HttpContext http, IngestDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var errors = new List<string>();
        SdkRequestValidation.Required(errors, "key", body?.Key, SdkRequestValidation.MaxKeyLength);
        if (!SdkRequestValidation.IsPresent(body?.Value))
        {
            errors.Add("value: is required");
        }

        if (errors.Count > 0)
        {
            return ApiResults.Validation(errors);
        }

        if (SdkRequestValidation.JsonBytes(body!.Value!.Value) > SdkRequestValidation.MaxStateValueBytes)
        {
            return ApiResults.Error(StatusCodes.Status413PayloadTooLarge, $"value exceeds {SdkRequestValidation.MaxStateValueBytes} bytes");
        }

        var (_, refusal) = await SdkRunGuard.CheckAsync(db, runId, http, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var now = clock.GetUtcNow();
        var value = body.Value.Value.GetRawText();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO ingest.run_state_entries (run_id, key, value, updated_at)
            VALUES ({runId}, {body.Key}, CAST({value} AS jsonb), {now})
            ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """, ct);
        return TypedResults.Created((string?)null, new RunTelemetryApi.StateEntryResponse(runId, body.Key!, body.Value.Value, now));
    }

    private static async Task<IResult> ListStateAsync(Guid runId, HttpContext http, IngestDbContext db, CancellationToken ct)
    {
        var (_, refusal) = await SdkRunGuard.CheckAsync(db, runId, http, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        return TypedResults.Ok(await RunTelemetryApi.ListStateAsync(db, runId, ct));
    }

    private static async Task<IResult> GetStateAsync(Guid runId, string key, HttpContext http, IngestDbContext db, CancellationToken ct)
    {
        var (_, refusal) = await SdkRunGuard.CheckAsync(db, runId, http, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var entry = await db.RunStateEntries.AsNoTracking().FirstOrDefaultAsync(s => s.RunId == runId && s.Key == key, ct);
        return entry is null ? ApiResults.NotFound("state key not found") : TypedResults.Ok(RunTelemetryApi.StateEntryResponse.From(entry));
    }

    private static async Task<IResult> DeleteStateAsync(Guid runId, string key, HttpContext http, IngestDbContext db, CancellationToken ct)
    {
        var (_, refusal) = await SdkRunGuard.CheckAsync(db, runId, http, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        await db.RunStateEntries.Where(s => s.RunId == runId && s.Key == key).ExecuteDeleteAsync(ct);
        return TypedResults.NoContent();
    }
}
