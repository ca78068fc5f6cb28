using System.Text.Json.Serialization;

namespace OrleansLog.Cli.Output;

/// <summary>
/// One line of <c>olog log dump --format json</c>: a batch, or a stretch of bytes that does not frame as
/// one (then only file, position, crc "CORRUPT" and problem are set). <c>records</c> appears only with
/// <c>--records</c>.
/// </summary>
internal sealed record LogBatchJson(
    string File,
    long Position,
    long? BaseOffset,
    long? LastOffset,
    int? SizeBytes,
    int? RecordCount,
    long? MaxTimestamp,
    string? Compression,
    string Crc,
    string? Problem,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<LogRecordJson>? Records);
