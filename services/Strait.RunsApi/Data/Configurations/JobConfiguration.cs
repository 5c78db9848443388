using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.RunsApi.Data.Configurations;

public sealed class JobConfiguration : IEntityTypeConfiguration<Job>
{
    public void Configure(EntityTypeBuilder<Job> builder)
    {
        builder.ToTable("jobs");
        builder.HasKey(j => j.Id);
        builder.Property(j => j.Name).HasMaxLength(255);
        builder.Property(j => j.Slug).HasMaxLength(128);
        builder.Property(j => j.Description).HasMaxLength(2000);
        builder.Property(j => j.EndpointUrl).HasMaxLength(2048);
        builder.Property(j => j.FallbackEndpointUrl).HasMaxLength(2048);
        builder.Property(j => j.SigningSecret).HasMaxLength(4096);
        builder.Property(j => j.RetryStrategy).HasMaxLength(16);
        builder.Property(j => j.PauseReason).HasMaxLength(500);
        builder.Property(j => j.VersionId).HasMaxLength(16);
        builder.Property(j => j.Tags).HasColumnType("jsonb");
        builder.Property(j => j.RetryDelaysSecs).Metadata.SetValueComparer(IntListComparer.Instance);
        builder.Property(j => j.Cron).HasMaxLength(256);
        builder.Property(j => j.Timezone).HasMaxLength(64);
        builder.Property(j => j.CronOverlapPolicy).HasMaxLength(16);
        builder.Property(j => j.PayloadSchema).HasColumnType("jsonb");
        builder.Property(j => j.ResultSchema).HasColumnType("jsonb");
        builder.Property(j => j.DefaultRunMetadata).HasColumnType("jsonb");
        builder.Property(j => j.Queue).HasMaxLength(63);
        builder.Property(j => j.VersionPolicy).HasMaxLength(16);
        builder.Property(j => j.ExecutionMode).HasMaxLength(16);
        // The cron scheduler's claim: the earliest due job first, among the few that have a schedule.
        builder.HasIndex(j => j.NextRunAt).HasFilter("next_run_at IS NOT NULL");
        // Two concurrent edits of one job: the second fails instead of silently overwriting the first.
        builder.Property(j => j.Version).IsConcurrencyToken();
        builder.HasIndex(j => new { j.ProjectId, j.Slug }).IsUnique();
        builder.HasIndex(j => new { j.ProjectId, j.CreatedAt, j.Id });
        builder.HasOne<Project>().WithMany().HasForeignKey(j => j.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
