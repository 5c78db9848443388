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
    /// <param name="configure">More options, such as interceptors resolved from the root services.</param>
    public static IHostApplicationBuilder AddStraitDbContext<TContext>(this IHostApplicationBuilder builder, string schema,
        Action<IServiceProvider, DbContextOptionsBuilder>? configure = null)
        where TContext : DbContext
    {
        builder.Services.AddDbContextPool<TContext>((services, options) =>
        {
            Configure(options, services.GetRequiredService<IConfiguration>().GetConnectionString("postgres")
                ?? throw new InvalidOperationException("ConnectionStrings:postgres is not set"), schema);
            configure?.Invoke(services, options);
        });
        return builder;
    }

    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, string connectionString, string schema) =>
        options
            .UseNpgsql(Tuned(connectionString), npgsql => npgsql
                .MigrationsHistoryTable(MigrationsHistoryTable, schema)
                .ConfigureDataSource(dataSource => dataSource.EnableDynamicJson()))
            .UseSnakeCaseNamingConvention();

    /// <summary>
    /// The connection settings every service uses unless the connection string says otherwise: no <c>DISCARD ALL</c>
    /// when a connection goes back to the pool (nothing here keeps session state: advisory locks are per transaction,
    /// LISTEN uses its own connections), which spares a round trip and a PostgreSQL transaction on every reuse; and
    /// automatic preparation of the statements a service repeats, which spares PostgreSQL parsing and planning them.
    /// </summary>
    public static string Tuned(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase)
            && !connectionString.Contains("NoResetOnClose", StringComparison.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }

        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)
            && !connectionString.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
        }

        return builder.ConnectionString;
    }

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
