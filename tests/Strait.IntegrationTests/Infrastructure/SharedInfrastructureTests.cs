using Npgsql;
using Strait.Infrastructure;

namespace Strait.IntegrationTests.Infrastructure;

[Collection(InfrastructureCollection.Name)]
public sealed class SharedInfrastructureTests(InfrastructureFixture fixture)
{
    private IInfrastructure Shared => fixture.Infrastructure;

    [Fact]
    public async Task StartAsync_NoEnvironmentAndNoDockerEngine_StartsTunedLocalProcesses()
    {
        if (Environment.GetEnvironmentVariable("ConnectionStrings__postgres") is { Length: > 0 })
        {
            // The run was pointed at existing servers: nothing of ours to inspect.
            Assert.Equal(InfrastructureSource.Environment, Shared.Source);
            return;
        }

        if (!DockerMayAnswer())
        {
            Assert.Equal(InfrastructureSource.LocalProcesses, Shared.Source);
        }

        if (Shared.Source == InfrastructureSource.LocalProcesses)
        {
            Assert.NotEmpty(Shared.ProcessIds);
            Assert.All(Shared.ProcessIds, pid => Assert.True(ProcFs.IsAlive(pid), $"pid {pid} is not running"));
        }

        Assert.Equal("strait", await Sql.ScalarAsync<string>(Shared.PostgresConnectionString, "select current_database()"));
        Assert.Equal("300", await Sql.ScalarAsync<string>(Shared.PostgresConnectionString, "show max_connections"));
        Assert.Equal("off", await Sql.ScalarAsync<string>(Shared.PostgresConnectionString, "show fsync"));
        await Amqp.AssertAnswersAsync(Shared.RabbitMqConnectionString);
    }

    [Fact]
    public async Task CreateDatabaseAsync_TwoCalls_CreatesSeparateEmptyDatabases()
    {
        var first = await Shared.CreateDatabaseAsync();
        var second = await Shared.CreateDatabaseAsync();

        await Sql.ExecuteAsync(first, "create table marker (id int)");

        Assert.NotEqual(Database(first), Database(second));
        Assert.Equal(Database(first), await Sql.ScalarAsync<string>(first, "select current_database()"));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(first, "select count(*) from pg_tables where tablename = 'marker'"));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(second, "select count(*) from pg_tables where schemaname = 'public'"));
    }

    [Fact]
    public async Task CreateDatabaseAsync_NameGiven_CreatesThatDatabase()
    {
        var name = $"named_{Guid.NewGuid():N}"[..20];

        var connectionString = await Shared.CreateDatabaseAsync(name);

        Assert.Equal(name, await Sql.ScalarAsync<string>(connectionString, "select current_database()"));
    }

    [Theory]
    [InlineData("Upper")]
    [InlineData("x\"; drop database strait; --")]
    [InlineData("")]
    public async Task CreateDatabaseAsync_UnsafeName_ThrowsArgumentException(string name) =>
        await Assert.ThrowsAsync<ArgumentException>(() => Shared.CreateDatabaseAsync(name));

    [Fact]
    public async Task StartAsync_ConnectionStringsInEnvironment_UsesThemAndStartsNothing()
    {
        var database = $"env_{Guid.NewGuid():N}"[..20];
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__postgres"] = new NpgsqlConnectionStringBuilder(Shared.PostgresConnectionString) { Database = database }.ConnectionString,
            ["ConnectionStrings__rabbitmq"] = Shared.RabbitMqConnectionString,
        };

        var infrastructure = await LocalInfrastructure.StartAsync(new InfrastructureOptions { ReadEnvironment = environment.GetValueOrDefault });
        await using (infrastructure)
        {
            Assert.Equal(InfrastructureSource.Environment, infrastructure.Source);
            Assert.Empty(infrastructure.ProcessIds);
            Assert.Equal(Shared.RabbitMqConnectionString, infrastructure.RabbitMqConnectionString);
            Assert.Equal(database, await Sql.ScalarAsync<string>(infrastructure.PostgresConnectionString, "select current_database()"));
            var created = await infrastructure.CreateDatabaseAsync();
            Assert.Equal(Database(created), await Sql.ScalarAsync<string>(created, "select current_database()"));
            await Assert.ThrowsAsync<NotSupportedException>(() => infrastructure.RestartPostgresAsync());
            await Assert.ThrowsAsync<NotSupportedException>(() => infrastructure.RestartRabbitMqAsync());
        }

        // Disposing must not have stopped servers it did not start.
        Assert.Equal(1, await Sql.ScalarAsync<int>(Shared.PostgresConnectionString, "select 1"));
        await Amqp.AssertAnswersAsync(Shared.RabbitMqConnectionString);
    }

    [Fact]
    public async Task RestartPostgresAsync_CommittedRows_SurviveOnTheSamePort()
    {
        var database = await Shared.CreateDatabaseAsync();
        await Sql.ExecuteAsync(database, "create table survivor (id int); insert into survivor values (1), (2), (3)");
        var pidsBefore = Shared.ProcessIds;
        var connectionString = Shared.PostgresConnectionString;

        await Shared.RestartPostgresAsync();

        Assert.Equal(connectionString, Shared.PostgresConnectionString);
        Assert.Equal(3L, await Sql.ScalarAsync<long>(database, "select count(*) from survivor"));
        if (Shared.Source == InfrastructureSource.LocalProcesses)
        {
            Assert.NotEqual(pidsBefore, Shared.ProcessIds);
        }
    }

    [Fact]
    public async Task RestartRabbitMqAsync_SharedBroker_AnswersAgainOnTheSamePort()
    {
        var connectionString = Shared.RabbitMqConnectionString;
        var pidsBefore = Shared.ProcessIds;

        await Shared.RestartRabbitMqAsync();

        Assert.Equal(connectionString, Shared.RabbitMqConnectionString);
        await Amqp.AssertAnswersAsync(connectionString);
        if (Shared.Source == InfrastructureSource.LocalProcesses)
        {
            Assert.NotEqual(pidsBefore, Shared.ProcessIds);
        }
    }

    private static string Database(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Database!;

    private static bool DockerMayAnswer() =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } || File.Exists("/var/run/docker.sock");
}
