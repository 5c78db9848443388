using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.RunsApi.Data.Configurations;

public sealed class JobTriggerFieldsConfiguration : IEntityTypeConfiguration<Job>
{
    public void Configure(EntityTypeBuilder<Job> builder) => builder.Property(j => j.ExecutionWindowCron).HasMaxLength(256);
}

public sealed class DebounceEntryConfiguration : IEntityTypeConfiguration<DebounceEntry>
{
    public void Configure(EntityTypeBuilder<DebounceEntry> builder)
    {
        builder.ToTable("debounce_entries");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.ProjectId).HasMaxLength(64);
        builder.Property(e => e.Key).HasMaxLength(256);
        builder.Property(e => e.Payload).HasColumnType("text");
        builder.Property(e => e.Tags).HasColumnType("jsonb");
        builder.Property(e => e.ConcurrencyKey).HasMaxLength(256);
        builder.Property(e => e.CreatedBy).HasMaxLength(255);
        builder.HasIndex(e => new { e.JobId, e.Key }).IsUnique();
        // The poller's claim: the earliest due entry first.
        builder.HasIndex(e => e.FireAt);
        builder.HasOne<Job>().WithMany().HasForeignKey(e => e.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class BatchItemConfiguration : IEntityTypeConfiguration<BatchItem>
{
    public void Configure(EntityTypeBuilder<BatchItem> builder)
    {
        builder.ToTable("batch_items");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.ProjectId).HasMaxLength(64);
        builder.Property(i => i.Key).HasMaxLength(256);
        builder.Property(i => i.Payload).HasColumnType("text");
        builder.HasIndex(i => new { i.JobId, i.Key, i.CreatedAt });
        builder.HasOne<Job>().WithMany().HasForeignKey(i => i.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}
