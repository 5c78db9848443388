using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.RunsApi.Data.Configurations;

public sealed class JobVersionConfiguration : IEntityTypeConfiguration<JobVersion>
{
    public void Configure(EntityTypeBuilder<JobVersion> builder)
    {
        builder.ToTable("job_versions");
        builder.HasKey(v => v.Id);
        builder.Property(v => v.ProjectId).HasMaxLength(64);
        builder.Property(v => v.VersionId).HasMaxLength(16);
        builder.Property(v => v.Definition).HasColumnType("jsonb");
        builder.HasIndex(v => new { v.JobId, v.Version }).IsUnique();
        builder.HasIndex(v => v.VersionId).IsUnique();
        builder.HasOne<Job>().WithMany().HasForeignKey(v => v.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}
