using MassTransit;
using Strait.Messaging;

namespace Strait.IntegrationTests.Platform;

/// <summary>A MassTransit bus of the test's own on the shared broker, seeing the exchanges of one entity prefix.</summary>
public static class TestBus
{
    public static async Task<IBusControl> StartAsync(string rabbitMqConnectionString, string entityPrefix,
        Action<IRabbitMqBusFactoryConfigurator>? configure = null)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            var uri = new Uri(rabbitMqConnectionString);
            var credentials = uri.UserInfo.Split(':', 2);
            cfg.Host(uri.Host, (ushort)(uri.IsDefaultPort ? 5672 : uri.Port), "/", h =>
            {
                h.Username(Uri.UnescapeDataString(credentials[0]));
                h.Password(Uri.UnescapeDataString(credentials[1]));
            });
            cfg.MessageTopology.SetEntityNameFormatter(new PrefixedEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, entityPrefix + ":"));
            configure?.Invoke(cfg);
        });
        await bus.StartAsync();
        return bus;
    }
}
