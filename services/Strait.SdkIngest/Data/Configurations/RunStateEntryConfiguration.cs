using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.SdkIngest.Data.Configurations;

public sealed class RunStateEntryConfiguration : IEntityTypeConfiguration<RunStateEntry>
{
    public void Configure(EntityTypeBuilder<RunStateEntry> builder)
    {
        builder.ToTable("run_state_entries");
        builder.HasKey(s => new { s.RunId, s.Key });
        builder.Property(s => s.Key).HasMaxLength(256);
    }
}
