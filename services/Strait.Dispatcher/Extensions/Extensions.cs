using Strait.Dispatcher.Apis;
using Strait.Dispatcher.Data;
using Strait.ServiceDefaults;
using Strait.ServiceDefaults.Data;
using Strait.ServiceDefaults.Security;

namespace Strait.Dispatcher.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddStraitDbContext<DispatcherDbContext>(DispatcherDbContext.Schema);
        builder.AddInfrastructureHealthChecks();
        builder.AddStraitAuthentication();
        return builder;
    }

    public static WebApplication MapDispatcherApi(this WebApplication app)
    {
        app.MapWorkersApi();
        return app;
    }
}
