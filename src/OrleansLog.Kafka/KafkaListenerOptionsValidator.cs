using Microsoft.Extensions.Options;

namespace OrleansLog.Kafka;

/// <summary>Refuses a Kafka listener setting that cannot work, naming it and its value.</summary>
internal sealed class KafkaListenerOptionsValidator : IValidateOptions<KafkaListenerOptions>
{
    public ValidateOptionsResult Validate(string? name, KafkaListenerOptions options)
    {
        if (options.Port is < 0 or > 65535)
        {
            return ValidateOptionsResult.Fail($"Kafka:Port must be between 0 (off) and 65535, was {options.Port}.");
        }

        if (options.AdvertisedPort is < 0 or > 65535)
        {
            return ValidateOptionsResult.Fail($"Kafka:AdvertisedPort must be between 0 (the listener's port) and 65535, was {options.AdvertisedPort}.");
        }

        if (string.IsNullOrWhiteSpace(options.AdvertisedHost))
        {
            return ValidateOptionsResult.Fail("Kafka:AdvertisedHost must name a host clients can reach.");
        }

        return options.MaxRequestBytes < 1024
            ? ValidateOptionsResult.Fail($"Kafka:MaxRequestBytes must be at least 1024, was {options.MaxRequestBytes}.")
            : ValidateOptionsResult.Success;
    }
}
