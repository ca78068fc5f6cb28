namespace OrleansLog.Client;

/// <summary>Makes consumers with the registered <see cref="OrleansLogClientOptions.Consumer"/> defaults.</summary>
public interface IConsumerFactory
{
    /// <summary>A new consumer; <paramref name="configure"/> adjusts a copy of the defaults. The caller owns and disposes it.</summary>
    IConsumer CreateConsumer(Action<ConsumerOptions>? configure = null);
}
