using Strait.ServiceDefaults.Data;

namespace Strait.RunsApi.Data;

public sealed class RunsDbContextFactory() : DesignTimeDbContextFactory<RunsDbContext>(RunsDbContext.Schema, options => new RunsDbContext(options));
