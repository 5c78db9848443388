using System.Text.Json;
using System.Text.Json.Serialization;
using Strait.Contracts.Runs;
using Strait.RunsApi.StateMachines;

namespace Strait.RunsApi.Apis;

/// <summary>The Run object (routes.md §4.2) plus <c>wait_reason</c>; optional fields are omitted when empty.</summary>
public sealed record RunResponse
{
    public required Guid Id { get; init; }
    public required Guid JobId { get; init; }
    public required string ProjectId { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, string>? Tags { get; init; }
    public required string Status { get; init; }
    public required int Attempt { get; init; }
    public required int MaxAttempts { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JsonElement? Payload { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JsonElement? Result { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Error { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ErrorClass { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? WaitReason { get; init; }
    public required string TriggeredBy { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? ScheduledAt { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? StartedAt { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? FinishedAt { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? HeartbeatAt { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? NextRetryAt { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? ExpiresAt { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Guid? ParentRunId { get; init; }
    public required int Priority { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? IdempotencyKey { get; init; }
    public required int JobVersion { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? JobVersionId { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ExecutionTrace? ExecutionTrace { get; init; }
    public required bool DebugMode { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Guid? ContinuationOf { get; init; }
    public required int LineageDepth { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? CreatedBy { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Guid? BatchId { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ConcurrencyKey { get; init; }
    public required string ExecutionMode { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    public static RunResponse From(RunState run) => new()
    {
        Id = run.CorrelationId,
        JobId = run.JobId,
        ProjectId = run.ProjectId,
        Tags = run.Tags.Count == 0 ? null : run.Tags,
        Status = RunStateMachine.Status(run),
        Attempt = run.Attempt,
        MaxAttempts = run.MaxAttempts,
        Payload = Json(run.Payload),
        Result = Json(run.Result),
        Metadata = run.Metadata.Count == 0 ? null : run.Metadata,
        Error = run.Error,
        ErrorClass = run.ErrorClass,
        WaitReason = run.WaitReason,
        TriggeredBy = run.TriggeredBy,
        ScheduledAt = run.ScheduledAt,
        StartedAt = run.StartedAt,
        FinishedAt = run.FinishedAt,
        HeartbeatAt = run.HeartbeatAt,
        NextRetryAt = run.NextRetryAt,
        ExpiresAt = run.ExpiresAt,
        ParentRunId = run.ParentRunId,
        Priority = run.Priority,
        IdempotencyKey = run.IdempotencyKey,
        JobVersion = run.JobVersion,
        JobVersionId = run.JobVersionId,
        ExecutionTrace = run.ExecutionTrace,
        DebugMode = run.DebugMode,
        ContinuationOf = run.ContinuationOf,
        LineageDepth = run.LineageDepth,
        CreatedBy = run.CreatedBy,
        BatchId = run.BatchId,
        ConcurrencyKey = run.ConcurrencyKey,
        ExecutionMode = "http",
        CreatedAt = run.CreatedAt,
    };

    private static JsonElement? Json(string? json) => string.IsNullOrEmpty(json) ? null : JsonDocument.Parse(json).RootElement.Clone();
}
