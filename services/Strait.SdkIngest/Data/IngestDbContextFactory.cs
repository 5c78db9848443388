using Strait.ServiceDefaults.Data;

namespace Strait.SdkIngest.Data;

public sealed class IngestDbContextFactory() : DesignTimeDbContextFactory<IngestDbContext>(IngestDbContext.Schema, options => new IngestDbContext(options));
