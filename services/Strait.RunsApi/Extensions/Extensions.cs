using Strait.RunsApi.Apis;
using Strait.RunsApi.Data;
using Strait.ServiceDefaults;
using Strait.ServiceDefaults.Data;
using Strait.ServiceDefaults.Security;

namespace Strait.RunsApi.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddStraitDbContext<RunsDbContext>(RunsDbContext.Schema);
        builder.AddInfrastructureHealthChecks();
        // runs-api owns the keys: it checks them in its own table instead of asking itself over HTTP.
        builder.Services.AddScoped<IApiKeyStore, DbApiKeyStore>();
        builder.AddStraitAuthentication();
        return builder;
    }

    public static WebApplication MapRunsApi(this WebApplication app)
    {
        app.MapProjectsApi();
        app.MapApiKeysApi();
        app.MapJobsApi();
        return app;
    }
}
