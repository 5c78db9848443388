using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.SdkIngest.Data.Configurations;

public sealed class RunUsageConfiguration : IEntityTypeConfiguration<RunUsage>
{
    public void Configure(EntityTypeBuilder<RunUsage> builder)
    {
        builder.ToTable("run_usage");
        builder.HasKey(u => u.Id);
        builder.Property(u => u.Provider).HasMaxLength(128);
        builder.Property(u => u.Model).HasMaxLength(256);
        builder.HasIndex(u => new { u.RunId, u.CreatedAt, u.Id });
    }
}
