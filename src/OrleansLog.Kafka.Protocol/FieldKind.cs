namespace OrleansLog.Kafka.Protocol;

/// <summary>The wire type of a field, from its property's type.</summary>
internal enum FieldKind
{
    Bool,
    Int8,
    Int16,
    UInt16,
    Int32,
    Int64,
    Float64,
    Uuid,
    String,
    Bytes,
    Memory,
    Struct,
    Array,
}
