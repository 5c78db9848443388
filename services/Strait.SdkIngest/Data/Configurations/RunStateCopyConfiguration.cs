using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.SdkIngest.Data.Configurations;

public sealed class RunStateCopyConfiguration : IEntityTypeConfiguration<RunStateCopy>
{
    public void Configure(EntityTypeBuilder<RunStateCopy> builder)
    {
        builder.ToTable("run_states");
        builder.HasKey(r => r.RunId);
        builder.Property(r => r.RunId).ValueGeneratedNever();
        builder.Property(r => r.ProjectId).HasMaxLength(64);
        builder.Property(r => r.Status).HasMaxLength(32);
    }
}
