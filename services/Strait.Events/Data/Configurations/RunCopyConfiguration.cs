using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.Events.Data.Configurations;

public sealed class RunCopyConfiguration : IEntityTypeConfiguration<RunCopy>
{
    public void Configure(EntityTypeBuilder<RunCopy> builder)
    {
        builder.ToTable("runs");
        builder.HasKey(r => r.RunId);
        builder.Property(r => r.ProjectId).HasMaxLength(64);
        builder.Property(r => r.Status).HasMaxLength(16);
    }
}
