namespace OrleansLog.Streaming;

/// <summary>Whether the stream provider creates a namespace's topic when it does not exist.</summary>
public enum TopicCreation
{
    /// <summary>Create the topic on first use with the namespace's settings.</summary>
    CreateIfMissing,

    /// <summary>Refuse to produce to a missing topic; its queues wait until it exists.</summary>
    RequireExisting,
}
