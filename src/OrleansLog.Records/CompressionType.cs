namespace OrleansLog.Records;

/// <summary>Compression codec ids as Kafka stores them in attributes bits 0-2.</summary>
public enum CompressionType : byte
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}
