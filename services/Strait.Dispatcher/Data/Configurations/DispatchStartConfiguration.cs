using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.Dispatcher.Data.Configurations;

public sealed class DispatchStartConfiguration : IEntityTypeConfiguration<DispatchStart>
{
    public void Configure(EntityTypeBuilder<DispatchStart> builder)
    {
        builder.ToTable("dispatch_starts");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).UseIdentityAlwaysColumn();
        builder.HasIndex(s => new { s.JobId, s.StartedAt });
        builder.HasIndex(s => s.ExpiresAt);
    }
}
