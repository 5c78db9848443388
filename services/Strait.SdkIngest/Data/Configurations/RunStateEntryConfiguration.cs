using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.SdkIngest.Data.Configurations;

public sealed class RunStateEntryConfiguration : IEntityTypeConfiguration<RunStateEntry>
{
    public void Configure(EntityTypeBuilder<RunStateEntry> builder)
    {
        builder.ToTable("run_state_entries");
        builder.HasKey(s => new { s.RunId, s.Key });
        // 256 for keys the SDK writes, plus room for the event:<key> entries an event delivers (keys up to 512 bytes).
        builder.Property(s => s.Key).HasMaxLength(520);
    }
}
