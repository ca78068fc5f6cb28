namespace OrleansLog.Records;

/// <summary>Why a stored or incoming batch frame was accepted or rejected by the storage engine's own checks.</summary>
public enum BatchFrameStatus
{
    /// <summary>The frame is sound.</summary>
    Valid,

    /// <summary>No bytes left: the clean end of the data.</summary>
    EndOfData,

    /// <summary>Fewer than 12 bytes left, so not even baseOffset and batchLength are there (a torn tail).</summary>
    TruncatedHeader,

    /// <summary>batchLength is below the 49 bytes a v2 header needs.</summary>
    InvalidLength,

    /// <summary>batchLength reaches past the end of the file (a torn tail or garbage).</summary>
    LengthPastEnd,

    /// <summary>magic is not 2.</summary>
    InvalidMagic,

    /// <summary>lastOffsetDelta is negative.</summary>
    NegativeLastOffsetDelta,

    /// <summary>The stored CRC-32C does not match the bytes.</summary>
    CrcMismatch,

    /// <summary>baseOffset is not the offset after the previous batch.</summary>
    OffsetNotContiguous,
}
