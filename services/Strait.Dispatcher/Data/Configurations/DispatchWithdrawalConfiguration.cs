using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.Dispatcher.Data.Configurations;

public sealed class DispatchWithdrawalConfiguration : IEntityTypeConfiguration<DispatchWithdrawal>
{
    public void Configure(EntityTypeBuilder<DispatchWithdrawal> builder)
    {
        builder.ToTable("dispatch_withdrawals");
        builder.HasKey(w => new { w.RunId, w.Attempt });
        builder.HasIndex(w => w.IssuedAt);
    }
}
