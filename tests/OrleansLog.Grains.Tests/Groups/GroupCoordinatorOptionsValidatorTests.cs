using Orleans.Runtime;
using OrleansLog.Grains.Groups;
using Xunit;

namespace OrleansLog.Grains.Tests.Groups;

/// <summary>Protects start-up validation of the group options: each bad value fails naming its option.</summary>
public sealed class GroupCoordinatorOptionsValidatorTests
{
    [Fact]
    public void Defaults_AreValid_AndFollowKafka()
    {
        var options = new GroupCoordinatorOptions();

        GroupCoordinatorOptionsValidator.Validate(options);

        Assert.Equal(TimeSpan.FromSeconds(3), options.InitialRebalanceDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), options.MetadataRefreshInterval);
        Assert.Equal((TimeSpan.FromSeconds(6), TimeSpan.FromMinutes(30)), (options.MinSessionTimeout, options.MaxSessionTimeout));
    }

    public static TheoryData<string, Action<GroupCoordinatorOptions>> BadOptions => new()
    {
        { "OrleansLog:Groups:InitialRebalanceDelay", o => o.InitialRebalanceDelay = TimeSpan.FromMilliseconds(-1) },
        { "OrleansLog:Groups:MetadataRefreshInterval", o => o.MetadataRefreshInterval = TimeSpan.Zero },
        { "OrleansLog:Groups:MinSessionTimeout", o => o.MinSessionTimeout = TimeSpan.Zero },
        { "OrleansLog:Groups:MaxSessionTimeout", o => o.MaxSessionTimeout = TimeSpan.FromSeconds(1) },
        { "OrleansLog:Groups:MaxGroupSize", o => o.MaxGroupSize = 0 },
        { "OrleansLog:Groups:MaxOffsetMetadataLength", o => o.MaxOffsetMetadataLength = -1 },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void BadValue_FailsNamingTheOption(string name, Action<GroupCoordinatorOptions> spoil)
    {
        var options = new GroupCoordinatorOptions();
        spoil(options);

        OrleansConfigurationException error = Assert.Throws<OrleansConfigurationException>(() => GroupCoordinatorOptionsValidator.Validate(options));

        Assert.StartsWith(name + " ", error.Message, StringComparison.Ordinal);
    }
}
