using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.Events.Data.Configurations;

public sealed class EventTriggerConfiguration : IEntityTypeConfiguration<EventTrigger>
{
    public void Configure(EntityTypeBuilder<EventTrigger> builder)
    {
        builder.ToTable("event_triggers");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.ProjectId).HasMaxLength(64);
        builder.Property(t => t.EventKey).HasMaxLength(512);
        builder.Property(t => t.SourceType).HasMaxLength(32);
        builder.Property(t => t.Status).HasMaxLength(16);
        builder.Property(t => t.TriggerType).HasMaxLength(16);
        builder.Property(t => t.SentBy).HasMaxLength(128);
        builder.Property(t => t.NotifyUrl).HasMaxLength(2048);
        // An event key names one waiter at a time in a project.
        builder.HasIndex(t => new { t.ProjectId, t.EventKey }).IsUnique().HasFilter("status = 'waiting'");
        builder.HasIndex(t => new { t.ProjectId, t.RequestedAt, t.Id });
        builder.HasIndex(t => t.RunId).HasFilter("status = 'waiting'");
    }
}
