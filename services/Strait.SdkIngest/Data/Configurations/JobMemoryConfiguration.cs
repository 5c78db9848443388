using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.SdkIngest.Data.Configurations;

public sealed class JobMemoryConfiguration : IEntityTypeConfiguration<JobMemory>
{
    public void Configure(EntityTypeBuilder<JobMemory> builder)
    {
        builder.ToTable("job_memory");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.ProjectId).HasMaxLength(64);
        builder.Property(m => m.MemoryKey).HasMaxLength(256);
        builder.HasIndex(m => new { m.JobId, m.MemoryKey }).IsUnique();
    }
}
