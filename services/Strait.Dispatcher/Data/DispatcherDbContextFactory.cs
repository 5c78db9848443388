using Strait.ServiceDefaults.Data;

namespace Strait.Dispatcher.Data;

public sealed class DispatcherDbContextFactory() : DesignTimeDbContextFactory<DispatcherDbContext>(DispatcherDbContext.Schema, options => new DispatcherDbContext(options));
