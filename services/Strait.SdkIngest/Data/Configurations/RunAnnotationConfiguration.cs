using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.SdkIngest.Data.Configurations;

public sealed class RunAnnotationConfiguration : IEntityTypeConfiguration<RunAnnotation>
{
    public void Configure(EntityTypeBuilder<RunAnnotation> builder)
    {
        builder.ToTable("run_annotations");
        builder.HasKey(a => new { a.RunId, a.Key });
        builder.Property(a => a.Key).HasMaxLength(128);
        builder.Property(a => a.Value).HasMaxLength(1024);
    }
}
