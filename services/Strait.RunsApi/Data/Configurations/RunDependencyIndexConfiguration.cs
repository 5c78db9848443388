using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Strait.RunsApi.StateMachines;

namespace Strait.RunsApi.Data.Configurations;

/// <summary>
/// The run indexes job dependencies read (kept apart from <see cref="RunStateConfiguration"/>): the latest finished run of an
/// upstream job, and the runs held back by dependencies.
/// </summary>
public sealed class RunDependencyIndexConfiguration : IEntityTypeConfiguration<RunState>
{
    public void Configure(EntityTypeBuilder<RunState> builder)
    {
        builder.HasIndex(r => new { r.JobId, r.FinishedAt }, "ix_runs_job_finished").HasDatabaseName("ix_runs_job_finished")
            .HasFilter("finished_at IS NOT NULL");
        builder.HasIndex(r => r.JobId, "ix_runs_dependency_wait").HasDatabaseName("ix_runs_dependency_wait")
            .HasFilter("wait_reason = 'dependencies'");
    }
}
