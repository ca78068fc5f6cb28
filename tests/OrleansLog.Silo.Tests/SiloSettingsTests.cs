using Microsoft.Extensions.Configuration;
using Xunit;

namespace OrleansLog.Silo.Tests;

/// <summary>
/// Protects the host's settings: switches map onto configuration keys, defaults match the README, and
/// a bad value stops start-up with a message naming the setting and the value.
/// </summary>
public sealed class SiloSettingsTests
{
    [Fact]
    public void Defaults_AreTheEmbeddedBrokerPorts()
    {
        SiloSettings settings = SiloSettings.Bind(new ConfigurationBuilder().Build());
        Assert.Equal(new SiloSettings(11111, 30000, 8080, "orleanslog", "orleanslog"), settings);
    }

    [Fact]
    public void CommandLineSwitches_OverrideTheFile()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Silo:HttpPort"] = "8080", ["OrleansLog:DataDirectory"] = "./data" })
            .AddCommandLine(["--http-port", "9090", "--gateway-port", "31000", "--silo-port", "12000", "--data-dir", "/var/lib/olog"], CommandLineSwitches.Map)
            .Build();

        SiloSettings settings = SiloSettings.Bind(configuration);

        Assert.Equal((12000, 31000, 9090), (settings.SiloPort, settings.GatewayPort, settings.HttpPort));
        Assert.Equal("/var/lib/olog", configuration["OrleansLog:DataDirectory"]);
    }

    [Theory]
    [InlineData("Silo:HttpPort", "99999", "Silo:HttpPort must be a TCP port between 1 and 65535, was '99999'.")]
    [InlineData("Silo:GatewayPort", "abc", "Silo:GatewayPort must be a TCP port between 1 and 65535, was 'abc'.")]
    [InlineData("Silo:SiloPort", "0", "Silo:SiloPort must be a TCP port between 1 and 65535, was '0'.")]
    [InlineData("Silo:ClusterId", " ", "Silo:ClusterId must not be empty.")]
    public void BadSetting_FailsNamingIt(string key, string value, string expected)
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [key] = value })
            .Build();

        var error = Assert.Throws<SettingException>(() => SiloSettings.Bind(configuration));
        Assert.Equal(expected, error.Message);
    }
}
