using Microsoft.Extensions.Configuration;
using Strait.Messaging;

namespace Strait.UnitTests.Messaging;

public class StraitMessagingOptionsTests
{
    [Fact]
    public void Bind_ConfiguredRedeliveryIntervals_ReplaceTheDefaultsEntirely()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Strait:Messaging:RedeliveryIntervals:0"] = "00:00:01",
        }).Build();
        var options = new StraitMessagingOptions();

        configuration.GetSection(StraitMessagingOptions.SectionName).Bind(options);

        Assert.Equal([TimeSpan.FromSeconds(1)], options.RedeliveryIntervals!);
        Assert.Null(options.RetryIntervals);
    }
}
