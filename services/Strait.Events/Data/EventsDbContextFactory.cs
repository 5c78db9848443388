using Strait.ServiceDefaults.Data;

namespace Strait.Events.Data;

public sealed class EventsDbContextFactory() : DesignTimeDbContextFactory<EventsDbContext>(EventsDbContext.Schema, options => new EventsDbContext(options));
