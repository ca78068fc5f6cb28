using OrleansLog.Records;

namespace OrleansLog.Cli.Arguments;

/// <summary>The spelled-out choices of <c>--acks</c> and <c>--compression</c> and what they mean.</summary>
internal static class ChoiceArguments
{
    public static readonly string[] AcksChoices = ["none", "leader", "all", "0", "1", "-1"];

    public static readonly string[] CompressionChoices = ["none", "gzip", "snappy", "lz4", "zstd"];

    /// <summary>Kafka's acks, by name or by number (0, 1, -1).</summary>
    public static Acks ParseAcks(string? value) => value?.ToLowerInvariant() switch
    {
        null or "all" or "-1" => Acks.All,
        "leader" or "1" => Acks.Leader,
        "none" or "0" => Acks.None,
        _ => throw CliException.Usage($"--acks must be one of {string.Join(", ", AcksChoices)}, was '{value}'"),
    };

    public static CompressionType ParseCompression(string? value) => value?.ToLowerInvariant() switch
    {
        null or "none" => CompressionType.None,
        "gzip" => CompressionType.Gzip,
        "snappy" => CompressionType.Snappy,
        "lz4" => CompressionType.Lz4,
        "zstd" => CompressionType.Zstd,
        _ => throw CliException.Usage($"--compression must be one of {string.Join(", ", CompressionChoices)}, was '{value}'"),
    };

    /// <summary>Lower-case codec name as Kafka prints it (compresscodec: lz4).</summary>
    public static string CompressionName(CompressionType compression) => compression switch
    {
        CompressionType.None => "none",
        CompressionType.Gzip => "gzip",
        CompressionType.Snappy => "snappy",
        CompressionType.Lz4 => "lz4",
        CompressionType.Zstd => "zstd",
        _ => $"unknown({(int)compression})",
    };
}
