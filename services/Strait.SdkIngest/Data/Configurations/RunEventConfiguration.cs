using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.SdkIngest.Data.Configurations;

public sealed class RunEventConfiguration : IEntityTypeConfiguration<RunEvent>
{
    public void Configure(EntityTypeBuilder<RunEvent> builder)
    {
        builder.ToTable("run_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.ProjectId).HasMaxLength(64);
        builder.Property(e => e.Type).HasMaxLength(64);
        builder.Property(e => e.Level).HasMaxLength(16);
        builder.HasIndex(e => new { e.RunId, e.CreatedAt, e.Id });
    }
}
