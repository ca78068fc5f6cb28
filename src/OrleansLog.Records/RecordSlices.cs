using System.Runtime.InteropServices;

namespace OrleansLog.Records;

/// <summary>
/// Where one decoded record's fields sit inside a records section, as positions rather than slices so
/// that the same decode serves span-based validation and memory-based reading. A length of -1 means
/// null.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal readonly record struct RecordSlices(
    int Start,
    int End,
    sbyte Attributes,
    long TimestampDelta,
    int OffsetDelta,
    int KeyStart,
    int KeyLength,
    int ValueStart,
    int ValueLength,
    int HeadersStart,
    int HeaderCount);
