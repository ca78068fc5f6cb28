using System.Runtime.InteropServices;
using System.Text;

namespace OrleansLog.Records;

/// <summary>
/// One record header: a UTF-8 key that is never null and a value that may be. The key is held as UTF-8
/// bytes rather than a <see cref="string"/> so that reading headers out of a batch costs no allocation;
/// call <see cref="GetKeyString"/> only where a string is really needed.
/// </summary>
/// <remarks>
/// The same type feeds <see cref="RecordBatchBuilder"/> and comes out of <see cref="RecordBatchReader"/>.
/// When it comes out of a reader over a compressed batch, its memory belongs to that reader and is valid
/// only until the reader is reset or disposed.
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly struct RecordHeader : IEquatable<RecordHeader>
{
    /// <summary>Creates a header from a string key and an optional value (null stays null on the wire).</summary>
    public RecordHeader(string key, byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        Key = Encoding.UTF8.GetBytes(key);
        Value = value;
        ValueIsNull = value is null;
    }

    /// <summary>Creates a header from an already UTF-8 encoded key; no bytes are copied.</summary>
    public RecordHeader(ReadOnlyMemory<byte> keyUtf8, ReadOnlyMemory<byte> value, bool valueIsNull)
    {
        Key = keyUtf8;
        Value = valueIsNull ? ReadOnlyMemory<byte>.Empty : value;
        ValueIsNull = valueIsNull;
    }

    /// <summary>The header key as UTF-8 bytes. Kafka does not allow a null header key.</summary>
    public ReadOnlyMemory<byte> Key { get; }

    /// <summary>The header value; empty when <see cref="ValueIsNull"/>.</summary>
    public ReadOnlyMemory<byte> Value { get; }

    /// <summary>True when the value is null (length -1 on the wire), which differs from an empty value.</summary>
    public bool ValueIsNull { get; }

    /// <summary>Decodes the key; allocates a string.</summary>
    public string GetKeyString() => Encoding.UTF8.GetString(Key.Span);

    /// <summary>Copies the value out, or returns null for a null value; allocates.</summary>
    public byte[]? ValueToArray() => ValueIsNull ? null : Value.ToArray();

    /// <summary>Byte-wise equality of key, value and null-ness.</summary>
    public bool Equals(RecordHeader other) =>
        ValueIsNull == other.ValueIsNull
        && Key.Span.SequenceEqual(other.Key.Span)
        && Value.Span.SequenceEqual(other.Value.Span);

    public override bool Equals(object? obj) => obj is RecordHeader other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Key.Span);
        hash.AddBytes(Value.Span);
        hash.Add(ValueIsNull);
        return hash.ToHashCode();
    }

    public override string ToString() =>
        ValueIsNull ? $"{GetKeyString()}=null" : $"{GetKeyString()}=[{Value.Length} bytes]";

    public static bool operator ==(RecordHeader left, RecordHeader right) => left.Equals(right);

    public static bool operator !=(RecordHeader left, RecordHeader right) => !left.Equals(right);
}
