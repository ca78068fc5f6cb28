namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>ApiVersions (key 18): which versions of which APIs the broker speaks. Versions 3+ name the client software.</summary>
[KafkaMessage(ApiKey.ApiVersions, 0, 3, 3)]
public sealed class ApiVersionsRequest
{
    [KafkaField(0, "3+")]
    public string ClientSoftwareName { get; set; } = string.Empty;

    [KafkaField(1, "3+")]
    public string ClientSoftwareVersion { get; set; } = string.Empty;
}
