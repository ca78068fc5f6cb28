using System.Runtime.InteropServices;

namespace OrleansLog.Records;

/// <summary>
/// One complete batch found in a buffer of concatenated batches: its bytes, its decoded header and
/// where it starts. The header is decoded but not validated; validate or CRC-check it before trusting
/// its records.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly record struct RecordBatchView(ReadOnlyMemory<byte> Memory, RecordBatchHeader Header, int Position);
