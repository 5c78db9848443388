using System.Diagnostics;
using Strait.Infrastructure;

namespace Strait.AppHost;

/// <summary>
/// Brings the platform up in order (stale processes, PostgreSQL and RabbitMQ, secrets, migrations, services,
/// gateway, development key), keeps it running until <c>shutdown</c>, then stops it in reverse order.
/// </summary>
public sealed class AppHost(AppHostOptions options)
{
    private readonly ChildLedger ledger = new(options.DataDirectory);
    private readonly List<ServiceProcess> services = [];
    private ServiceProcess? gateway;

    /// <summary>0 after a requested shutdown, 1 when the platform could not be started.</summary>
    public async Task<int> RunAsync(CancellationToken shutdown)
    {
        Directory.CreateDirectory(options.DataDirectory);
        AppDomain.CurrentDomain.ProcessExit += KillChildrenOnExit;
        IInfrastructure? infrastructure = null;
        try
        {
            var all = ServiceDefinition.Services.Append(ServiceDefinition.Gateway).ToList();
            EnsureBuilt(all);
            await ledger.StopLeftoversAsync(all.Select(service => service.AssemblyPath(options)), shutdown);
            if (!FreeTcpPort.IsFree(options.GatewayPort))
            {
                throw new AppHostException($"port {options.GatewayPort} is in use: stop what listens there, or pass --port N.");
            }

            var stopwatch = Stopwatch.StartNew();
            infrastructure = await LocalInfrastructure.StartAsync(
                new InfrastructureOptions { DataDirectory = options.DataDirectory, Log = line => ConsoleOutput.Line("infra", line) },
                shutdown);
            var secrets = await DevSecrets.LoadOrCreateAsync(options.DataDirectory, shutdown);
            var urls = AssignUrls(all);
            var environment = SharedEnvironment(infrastructure, secrets, urls);

            await MigrateAsync(environment, shutdown);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            foreach (var definition in ServiceDefinition.Services)
            {
                services.Add(Start(definition, urls[definition.Name], environment));
            }

            await Task.WhenAll(services.Select(service => Readiness.WaitAsync(http, service.Name, service.Url, shutdown)));
            gateway = Start(ServiceDefinition.Gateway, urls[ServiceDefinition.GatewayName], environment);
            await Readiness.WaitAsync(http, gateway.Name, gateway.Url, shutdown);

            var bootstrap = new DevBootstrap(http, secrets, urls["runs-api"], gateway.Url, options.DataDirectory);
            var devEnv = await bootstrap.RunAsync(shutdown);
            PrintSummary(infrastructure, devEnv, bootstrap.DevEnvPath, stopwatch.Elapsed);

            await Task.Delay(Timeout.Infinite, shutdown);
            return 0;
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception exception) when (exception is AppHostException or InfrastructureUnavailableException)
        {
            ConsoleOutput.Line(ConsoleOutput.AppHost, $"error: {exception.Message}");
            return 1;
        }
        catch (Exception exception)
        {
            ConsoleOutput.Line(ConsoleOutput.AppHost, $"error: {exception}");
            return 1;
        }
        finally
        {
            await StopAsync(infrastructure);
            AppDomain.CurrentDomain.ProcessExit -= KillChildrenOnExit;
        }
    }

    private void EnsureBuilt(IEnumerable<ServiceDefinition> definitions)
    {
        var missing = definitions.Select(definition => definition.AssemblyPath(options)).Where(path => !File.Exists(path)).ToList();
        if (missing.Count > 0)
        {
            throw new AppHostException(
                $"not built: {string.Join(", ", missing)}. Build the app host in the same configuration "
                + $"(dotnet build apphost/Strait.AppHost -c {options.Configuration}); it builds every service.");
        }
    }

    private Dictionary<string, Uri> AssignUrls(IEnumerable<ServiceDefinition> definitions)
    {
        var ports = new HashSet<int> { options.GatewayPort };
        var urls = new Dictionary<string, Uri>();
        foreach (var definition in definitions)
        {
            if (definition.Name == ServiceDefinition.GatewayName)
            {
                urls[definition.Name] = new Uri($"http://localhost:{options.GatewayPort}");
                continue;
            }

            int port;
            do
            {
                port = FreeTcpPort.Next();
            }
            while (!ports.Add(port));
            urls[definition.Name] = new Uri($"http://127.0.0.1:{port}");
        }

        return urls;
    }

    /// <summary>What every child gets, Aspire-style, on top of the app host's own environment.</summary>
    private Dictionary<string, string> SharedEnvironment(IInfrastructure infrastructure, DevSecrets secrets, Dictionary<string, Uri> urls)
    {
        var environment = new Dictionary<string, string>(secrets.Environment())
        {
            ["ConnectionStrings__postgres"] = infrastructure.PostgresConnectionString,
            ["ConnectionStrings__rabbitmq"] = infrastructure.RabbitMqConnectionString,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_ENVIRONMENT"] = "Development",

            // Five processes share one console: one line per log entry keeps every line under its [name] prefix.
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
            [PosixProcess.OwnerVariable] = ledger.Owner,
        };
        foreach (var (name, url) in urls)
        {
            environment[$"services__{name}__http__0"] = url.GetLeftPart(UriPartial.Authority);
        }

        return environment;
    }

    private static Dictionary<string, string> For(ServiceDefinition definition, Uri url, Dictionary<string, string> shared) =>
        new(shared)
        {
            ["ASPNETCORE_URLS"] = url.GetLeftPart(UriPartial.Authority),
            ["OTEL_SERVICE_NAME"] = definition.Name,
        };

    /// <summary>"Migrate, then exit" for every service, as a Kubernetes Job would; each owns its schema, so all run at once.</summary>
    private async Task MigrateAsync(Dictionary<string, string> environment, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(ServiceDefinition.Services.Where(definition => definition.HasMigrations).Select(async definition =>
        {
            var startInfo = ChildProcessFactory.Create(
                definition.AssemblyPath(options),
                ["--migrate"],
                For(definition, new Uri("http://127.0.0.1:0"), environment),
                definition.ProjectPath(options));
            using var process = ChildProcessFactory.StartWithPrefixedOutput(startInfo, $"{definition.Name} migrate");
            try
            {
                await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromMinutes(5), ct);
            }
            catch (Exception exception) when (exception is OperationCanceledException or TimeoutException)
            {
                process.Kill(entireProcessTree: true);
                if (exception is TimeoutException)
                {
                    throw new AppHostException($"{definition.Name} --migrate did not finish within 5 minutes.");
                }

                throw;
            }

            if (process.ExitCode != 0)
            {
                throw new AppHostException($"{definition.Name} --migrate exited with code {process.ExitCode}; its output is above, prefixed [{definition.Name} migrate].");
            }
        }));
        ConsoleOutput.Line(ConsoleOutput.AppHost, $"migrations done ({stopwatch.Elapsed.TotalSeconds:0.0} s)");
    }

    private ServiceProcess Start(ServiceDefinition definition, Uri url, Dictionary<string, string> environment)
    {
        var childEnvironment = For(definition, url, environment);
        var service = new ServiceProcess(
            definition.Name,
            url,
            () => ChildProcessFactory.Create(definition.AssemblyPath(options), [], childEnvironment, definition.ProjectPath(options)),
            ledger,
            TimeProvider.System);
        service.Start();
        return service;
    }

    private void PrintSummary(IInfrastructure infrastructure, IReadOnlyList<string> devEnv, string devEnvPath, TimeSpan elapsed)
    {
        var lines = new List<string> { $"Strait is running ({elapsed.TotalSeconds:0.0} s):" };
        lines.AddRange(services.Append(gateway!).Select(service => $"  {service.Name,-11} {service.Url.GetLeftPart(UriPartial.Authority)}"));
        lines.Add($"  {"postgres",-11} {infrastructure.PostgresConnectionString}");
        lines.Add($"  {"rabbitmq",-11} {infrastructure.RabbitMqConnectionString}");
        lines.Add($"  {"reference",-11} {gateway!.Url.GetLeftPart(UriPartial.Authority)}/reference");
        lines.Add($"Development credentials, also in {devEnvPath} (set -a; . {devEnvPath}; set +a):");
        lines.AddRange(devEnv.Select(line => "  " + line));
        lines.Add("Ctrl+C stops everything.");
        foreach (var line in lines)
        {
            ConsoleOutput.Line(ConsoleOutput.AppHost, line);
        }
    }

    private async Task StopAsync(IInfrastructure? infrastructure)
    {
        ConsoleOutput.Line(ConsoleOutput.AppHost, "stopping");

        // The gateway first, so nothing new comes in; then the services; the databases last, as the services may still flush.
        if (gateway is not null)
        {
            await gateway.StopAsync();
        }

        await Task.WhenAll(services.Select(service => service.StopAsync()));
        if (infrastructure is not null)
        {
            await infrastructure.DisposeAsync();
        }

        ConsoleOutput.Line(ConsoleOutput.AppHost, "stopped");
    }

    private void KillChildrenOnExit(object? sender, EventArgs e)
    {
        gateway?.Kill();
        foreach (var service in services)
        {
            service.Kill();
        }
    }
}
