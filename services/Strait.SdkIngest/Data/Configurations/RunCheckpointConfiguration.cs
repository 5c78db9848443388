using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.SdkIngest.Data.Configurations;

public sealed class RunCheckpointConfiguration : IEntityTypeConfiguration<RunCheckpoint>
{
    public void Configure(EntityTypeBuilder<RunCheckpoint> builder)
    {
        builder.ToTable("run_checkpoints");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Source).HasMaxLength(64);
        builder.HasIndex(c => new { c.RunId, c.Sequence }).IsUnique();
    }
}
