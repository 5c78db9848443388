using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Strait.ServiceDefaults.Data;

public static class DatabaseExtensions
{
    public const string MigrateFlag = "--migrate";
    public const string MigrationsHistoryTable = "__ef_migrations_history";

    /// <summary>The service's DbContext on <c>ConnectionStrings:postgres</c>, its tables and migration history in its own schema.</summary>
    public static IHostApplicationBuilder AddStraitDbContext<TContext>(this IHostApplicationBuilder builder, string schema)
        where TContext : DbContext
    {
        builder.Services.AddDbContextPool<TContext>((services, options) =>
            Configure(options, services.GetRequiredService<IConfiguration>().GetConnectionString("postgres")
                ?? throw new InvalidOperationException("ConnectionStrings:postgres is not set"), schema));
        return builder;
    }

    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, string connectionString, string schema) =>
        options
            .UseNpgsql(connectionString, npgsql => npgsql
                .MigrationsHistoryTable(MigrationsHistoryTable, schema)
                .ConfigureDataSource(dataSource => dataSource.EnableDynamicJson()))
            .UseSnakeCaseNamingConvention();

    /// <summary>Options for a context built by hand (design-time tools, tests, benchmarks).</summary>
    public static DbContextOptions<TContext> CreateOptions<TContext>(string connectionString, string schema) where TContext : DbContext =>
        (DbContextOptions<TContext>)Configure(new DbContextOptionsBuilder<TContext>(), connectionString, schema).Options;

    /// <summary>
    /// "Migrate, then exit" when started with <c>--migrate</c> (the app host's migration step, a Kubernetes Job in
    /// production); otherwise serve. An ordinary start never migrates.
    /// </summary>
    public static async Task RunOrMigrateAsync<TContext>(this WebApplication app, string[] args) where TContext : DbContext
    {
        if (!args.Contains(MigrateFlag, StringComparer.Ordinal))
        {
            await app.RunAsync();
            return;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        await db.Database.MigrateAsync();
        app.Logger.LogInformation("{Context} is up to date", typeof(TContext).Name);
    }
}
