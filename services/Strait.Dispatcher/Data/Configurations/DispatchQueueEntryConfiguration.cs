using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.Dispatcher.Data.Configurations;

public sealed class DispatchQueueEntryConfiguration : IEntityTypeConfiguration<DispatchQueueEntry>
{
    public void Configure(EntityTypeBuilder<DispatchQueueEntry> builder)
    {
        builder.ToTable("dispatch_queue");
        builder.HasKey(e => new { e.RunId, e.Attempt });
        builder.Property(e => e.ProjectId).HasMaxLength(64);
        builder.Property(e => e.ConcurrencyKey).HasMaxLength(256);
        builder.Property(e => e.Headers).HasColumnType("jsonb");
        builder.Property(e => e.Status).HasMaxLength(16);
        builder.Property(e => e.WaitReason).HasMaxLength(512);
        builder.Property(e => e.LeaseOwner).HasMaxLength(128);

        // Admission order within a job, slot counts per job and key, the lease sweep, and the per-project queue view.
        builder.HasIndex(e => new { e.JobId, e.Status, e.Priority, e.RunCreatedAt });
        builder.HasIndex(e => new { e.JobId, e.ConcurrencyKey }).HasFilter("status <> 'pending'");
        builder.HasIndex(e => e.LeaseExpiresAt).HasFilter("status = 'active'");
        builder.HasIndex(e => new { e.ProjectId, e.JobId });
    }
}
