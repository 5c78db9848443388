using Strait.SdkIngest.Apis;
using Strait.SdkIngest.Data;
using Strait.ServiceDefaults;
using Strait.ServiceDefaults.Data;
using Strait.ServiceDefaults.Security;

namespace Strait.SdkIngest.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddStraitDbContext<IngestDbContext>(IngestDbContext.Schema);
        builder.AddInfrastructureHealthChecks();
        builder.AddStraitAuthentication();
        builder.AddRunTokenAuthentication();
        return builder;
    }

    public static WebApplication MapSdkIngestApi(this WebApplication app)
    {
        app.MapSdkRunsApi();
        return app;
    }
}
