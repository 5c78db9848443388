using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.SdkIngest.Data.Configurations;

public sealed class RunOutputConfiguration : IEntityTypeConfiguration<RunOutput>
{
    public void Configure(EntityTypeBuilder<RunOutput> builder)
    {
        builder.ToTable("run_outputs");
        builder.HasKey(o => o.Id);
        builder.Property(o => o.OutputKey).HasMaxLength(256);
        builder.HasIndex(o => new { o.RunId, o.OutputKey }).IsUnique();
    }
}
