using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.RunsApi.Data.Configurations;

public sealed class JobDependencyConfiguration : IEntityTypeConfiguration<JobDependency>
{
    public void Configure(EntityTypeBuilder<JobDependency> builder)
    {
        builder.ToTable("job_dependencies");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.ProjectId).HasMaxLength(64);
        builder.Property(d => d.Condition).HasMaxLength(16);
        builder.HasIndex(d => new { d.JobId, d.DependsOnJobId }).IsUnique();
        // A finished run looks up the jobs that depend on its own.
        builder.HasIndex(d => d.DependsOnJobId);
        builder.HasOne<Job>().WithMany().HasForeignKey(d => d.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Job>().WithMany().HasForeignKey(d => d.DependsOnJobId).OnDelete(DeleteBehavior.Cascade);
    }
}
