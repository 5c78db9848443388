using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.SdkIngest.Data.Configurations;

public sealed class RunToolCallConfiguration : IEntityTypeConfiguration<RunToolCall>
{
    public void Configure(EntityTypeBuilder<RunToolCall> builder)
    {
        builder.ToTable("run_tool_calls");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.ToolName).HasMaxLength(256);
        builder.Property(t => t.Status).HasMaxLength(64);
        builder.HasIndex(t => new { t.RunId, t.CreatedAt, t.Id });
    }
}
