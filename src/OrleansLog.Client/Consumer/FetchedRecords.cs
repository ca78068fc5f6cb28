namespace OrleansLog.Client;

/// <summary>The records of one fetch and how many of them the application has taken.</summary>
internal sealed class FetchedRecords(List<ConsumeResult> records)
{
    public List<ConsumeResult> Records { get; } = records;

    public int Next { get; set; }
}
