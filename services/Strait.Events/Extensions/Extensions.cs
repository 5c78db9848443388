using Strait.Events.Apis;
using Strait.Events.Data;
using Strait.ServiceDefaults;
using Strait.ServiceDefaults.Data;
using Strait.ServiceDefaults.Security;

namespace Strait.Events.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddStraitDbContext<EventsDbContext>(EventsDbContext.Schema);
        builder.AddInfrastructureHealthChecks();
        builder.AddStraitAuthentication();
        return builder;
    }

    public static WebApplication MapEventsApi(this WebApplication app)
    {
        app.MapEventTriggersApi();
        return app;
    }
}
