using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Strait.RunsApi.StateMachines;

namespace Strait.RunsApi.Data.Configurations;

public sealed class RunStateConfiguration : IEntityTypeConfiguration<RunState>
{
    public void Configure(EntityTypeBuilder<RunState> builder)
    {
        builder.ToTable("runs");
        builder.HasKey(r => r.CorrelationId);
        builder.Property(r => r.CorrelationId).HasColumnName("id");
        // The column holds the API status (timed_out); the state machine reads and writes its state names (TimedOut).
        builder.Property(r => r.CurrentState).HasColumnName("status").HasMaxLength(16)
            .HasConversion(state => RunStatuses.FromStateName(state), status => RunStatuses.ToStateName(status));
        builder.Property(r => r.ProjectId).HasMaxLength(64);
        builder.Property(r => r.Payload).HasColumnType("text");
        builder.Property(r => r.PayloadHash).HasMaxLength(64);
        builder.Property(r => r.Result).HasColumnType("text");
        builder.Property(r => r.Metadata).HasColumnType("jsonb");
        builder.Property(r => r.Tags).HasColumnType("jsonb");
        builder.Property(r => r.ExecutionTrace).HasColumnType("jsonb");
        builder.Property(r => r.ErrorClass).HasMaxLength(32);
        builder.Property(r => r.WaitReason).HasMaxLength(256);
        builder.Property(r => r.TriggeredBy).HasMaxLength(32);
        builder.Property(r => r.IdempotencyKey).HasMaxLength(256);
        builder.Property(r => r.ConcurrencyKey).HasMaxLength(256);
        builder.Property(r => r.EndpointUrl).HasMaxLength(2048);
        builder.Property(r => r.SigningSecret).HasMaxLength(4096);
        builder.Property(r => r.FallbackEndpointUrl).HasMaxLength(2048);
        builder.Property(r => r.RetryStrategy).HasMaxLength(16);
        builder.Property(r => r.JobVersionId).HasMaxLength(16);
        builder.Property(r => r.ResumedByEventKey).HasMaxLength(512);
        builder.Property(r => r.RetryDelaysSecs).Metadata.SetValueComparer(IntListComparer.Instance);
        builder.Ignore(r => r.LeavingAttempt);

        builder.HasIndex(r => new { r.ProjectId, r.CreatedAt, r.CorrelationId });
        // A job's run history (GET /v1/runs?job_id=…), newest first: without it the page is filtered out of all
        // the project's runs.
        builder.HasIndex(r => new { r.JobId, r.CreatedAt, r.CorrelationId });
        builder.HasIndex(r => new { r.ProjectId, r.CurrentState, r.CreatedAt });
        builder.HasIndex(r => new { r.JobId, r.IdempotencyKey }).HasFilter("idempotency_key IS NOT NULL");
        builder.HasIndex(r => r.ParentRunId).HasFilter("parent_run_id IS NOT NULL");
        builder.HasIndex(r => r.ContinuationOf).HasFilter("continuation_of IS NOT NULL");
    }
}
