using Npgsql;
using Strait.Infrastructure;
using Xunit.Abstractions;

namespace Strait.IntegrationTests.Infrastructure;

/// <summary>
/// Instances of our own beside the shared one. Each RabbitMQ boot costs seconds, so these tests start few:
/// the persistent-mode tests borrow the shared broker where only PostgreSQL is under test.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class LocalInstanceTests(InfrastructureFixture fixture, ITestOutputHelper output)
{
    private IInfrastructure Shared => fixture.Infrastructure;

    [Fact]
    public async Task StartAsync_BesideAnotherInstance_RunsIndependentlyAndDisposeLeavesNothing()
    {
        Assert.Equal(InfrastructureSource.LocalProcesses, Shared.Source);

        var second = await LocalInfrastructure.StartAsync(new InfrastructureOptions { Log = output.WriteLine });
        IReadOnlyList<int> pids;
        string folder;
        await using (second)
        {
            Assert.Equal(InfrastructureSource.LocalProcesses, second.Source);
            Assert.NotEqual(Port(Shared.PostgresConnectionString), Port(second.PostgresConnectionString));
            Assert.NotEqual(new Uri(Shared.RabbitMqConnectionString).Port, new Uri(second.RabbitMqConnectionString).Port);
            Assert.Empty(second.ProcessIds.Intersect(Shared.ProcessIds));

            await Sql.ExecuteAsync(second.PostgresConnectionString, "create table only_here (id int)");
            Assert.Equal(0L, await Sql.ScalarAsync<long>(Shared.PostgresConnectionString, "select count(*) from pg_tables where tablename = 'only_here'"));
            await Amqp.AssertAnswersAsync(second.RabbitMqConnectionString);

            pids = second.ProcessIds;
            folder = DataFolderOf(second);
            Assert.NotEqual(DataFolderOf(Shared), folder);
            Assert.NotEmpty(ProcFs.ProcessesMentioning(folder));
        }

        Assert.DoesNotContain(pids, ProcFs.IsAlive);
        Assert.Empty(ProcFs.ProcessesMentioning(folder));
        Assert.False(Directory.Exists(folder), $"{folder} was not deleted");

        // The other instance is untouched.
        Assert.Equal(1, await Sql.ScalarAsync<int>(Shared.PostgresConnectionString, "select 1"));
        await Amqp.AssertAnswersAsync(Shared.RabbitMqConnectionString);
    }

    [Fact]
    public async Task StartAsync_PersistentFolderStillServedByEarlierInstance_StopsItAndKeepsTheData()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("strait-persistent-test-").FullName;
        try
        {
            var options = PostgresOnly(dataDirectory);
            await using var earlier = await LocalInfrastructure.StartAsync(options);
            await Sql.ExecuteAsync(earlier.PostgresConnectionString, "create table kept (id int); insert into kept values (42)");
            var earlierPids = earlier.ProcessIds;

            // The earlier instance is never disposed first: as if its app host had been killed with SIGKILL.
            await using var later = await LocalInfrastructure.StartAsync(options);

            Assert.DoesNotContain(earlierPids, ProcFs.IsAlive);
            Assert.Equal(42, await Sql.ScalarAsync<int>(later.PostgresConnectionString, "select id from kept"));
            Assert.Equal("on", await Sql.ScalarAsync<string>(later.PostgresConnectionString, "show fsync"));
            await earlier.DisposeAsync();
            Assert.Equal(42, await Sql.ScalarAsync<int>(later.PostgresConnectionString, "select id from kept"));
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task StartAsync_PersistentFolderAfterSigkill_RecoversDataOnTheSameNodeAndPorts()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("strait-persistent-test-").FullName;
        try
        {
            var options = new InfrastructureOptions { DataDirectory = dataDirectory, ReadEnvironment = _ => null, Log = output.WriteLine };
            await using var crashed = await LocalInfrastructure.StartAsync(options);
            await Sql.ExecuteAsync(crashed.PostgresConnectionString, "create table kept (id int); insert into kept values (7)");
            var node = await File.ReadAllTextAsync(Path.Combine(dataDirectory, "rabbitmq", "node"));
            var (postgres, rabbitMq) = (crashed.PostgresConnectionString, crashed.RabbitMqConnectionString);
            var crashedPids = crashed.ProcessIds;
            foreach (var pid in crashedPids)
            {
                KillIfRunning(pid);
            }

            await using (var recovered = await LocalInfrastructure.StartAsync(options))
            {
                Assert.DoesNotContain(crashedPids, ProcFs.IsAlive);
                Assert.Equal(7, await Sql.ScalarAsync<int>(recovered.PostgresConnectionString, "select id from kept"));
                await Amqp.AssertAnswersAsync(recovered.RabbitMqConnectionString);
                Assert.Equal((postgres, rabbitMq), (recovered.PostgresConnectionString, recovered.RabbitMqConnectionString));
                Assert.Equal(node, await File.ReadAllTextAsync(Path.Combine(dataDirectory, "rabbitmq", "node")));
            }

            Assert.Empty(ProcFs.ProcessesMentioning(dataDirectory));
            Assert.True(File.Exists(Path.Combine(dataDirectory, "postgres", "data", "PG_VERSION")), "persistent data was deleted");
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>Persistent PostgreSQL of our own, with the shared broker passed in as if from the environment.</summary>
    private InfrastructureOptions PostgresOnly(string dataDirectory) => new()
    {
        DataDirectory = dataDirectory,
        Log = output.WriteLine,
        ReadEnvironment = name => name == "ConnectionStrings__rabbitmq" ? Shared.RabbitMqConnectionString : null,
    };

    /// <summary>SIGKILL; some processes in the list (a short-lived helper of the broker, say) may be gone already.</summary>
    private static void KillIfRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
        }
    }

    private static int Port(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Port;

    /// <summary>The instance's data folder: PostgreSQL's working directory is &lt;folder&gt;/postgres/data.</summary>
    private static string DataFolderOf(IInfrastructure infrastructure)
    {
        var postmaster = infrastructure.ProcessIds.First(pid => ProcFs.WorkingDirectory(pid)?.EndsWith("/postgres/data", StringComparison.Ordinal) == true);
        return Path.GetDirectoryName(Path.GetDirectoryName(ProcFs.WorkingDirectory(postmaster)))!;
    }
}
