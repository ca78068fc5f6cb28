using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;

namespace OrleansLog.Kafka.Protocol;

/// <summary>
/// Reads and writes one message or structure type from its <see cref="KafkaFieldAttribute"/>s, for any
/// version: fields outside their versions are skipped (and keep their defaults on read), flexible versions
/// use compact lengths and end every structure with its tagged fields (unknown tags are skipped, tagged
/// fields at their default are not sent). Built once per type by reflection; the codec is the table.
/// </summary>
internal sealed class StructPlan
{
    private static readonly ConcurrentDictionary<Type, StructPlan> Plans = new();
    private readonly Type _type;
    private readonly FieldPlan[] _fields;
    private readonly FieldPlan[] _tagged;

    private StructPlan(Type type)
    {
        _type = type;
        FieldPlan[] all =
        [
            .. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Select(p => (Property: p, Field: p.GetCustomAttribute<KafkaFieldAttribute>()))
                .Where(p => p.Field is not null)
                .OrderBy(p => p.Field!.Order)
                .Select(p => new FieldPlan(p.Property, p.Field!)),
        ];
        _fields = [.. all.Where(f => !f.IsTagged)];
        _tagged = [.. all.Where(f => f.IsTagged).OrderBy(f => f.Field.Tag)];
        if (type.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new InvalidOperationException($"{type.Name} needs a parameterless constructor to be read.");
        }
    }

    public static StructPlan For(Type type) => Plans.GetOrAdd(type, static t => new StructPlan(t));

    public object Read(KafkaReader reader, short version, bool flexible)
    {
        object value = Activator.CreateInstance(_type)!;
        foreach (FieldPlan field in _fields)
        {
            if (field.Field.Versions.Contains(version))
            {
                field.Property.SetValue(value, ReadValue(reader, field, field.Kind, field.ElementType, version, flexible));
            }
        }

        if (flexible)
        {
            ReadTaggedFields(reader, value, version);
        }

        return value;
    }

    public void Write(KafkaWriter writer, object value, short version, bool flexible)
    {
        foreach (FieldPlan field in _fields)
        {
            if (field.Field.Versions.Contains(version))
            {
                WriteValue(writer, field, field.Kind, field.Property.GetValue(value), version, flexible);
            }
        }

        if (flexible)
        {
            WriteTaggedFields(writer, value, version);
        }
    }

    private void ReadTaggedFields(KafkaReader reader, object value, short version)
    {
        uint count = reader.UnsignedVarInt();
        for (uint i = 0; i < count; i++)
        {
            int tag = (int)reader.UnsignedVarInt();
            int size = (int)reader.UnsignedVarInt();
            FieldPlan? field = Array.Find(_tagged, f => f.Field.Tag == tag);
            if (field is null || !field.TaggedVersions.Contains(version))
            {
                reader.Skip(size);
                continue;
            }

            ReadOnlyMemory<byte> data = reader.Slice(size);
            var inner = new KafkaReader(data);
            field.Property.SetValue(value, ReadValue(inner, field, field.Kind, field.ElementType, version, flexible: true));
        }
    }

    private void WriteTaggedFields(KafkaWriter writer, object value, short version)
    {
        var present = new List<(int Tag, byte[] Data)>();
        foreach (FieldPlan field in _tagged)
        {
            object? fieldValue = field.Property.GetValue(value);
            if (!field.TaggedVersions.Contains(version) || IsDefault(fieldValue, field.Property.PropertyType))
            {
                continue;
            }

            var inner = new KafkaWriter();
            WriteValue(inner, field, field.Kind, fieldValue, version, flexible: true);
            present.Add((field.Field.Tag, inner.ToArray()));
        }

        writer.UnsignedVarInt((uint)present.Count);
        foreach ((int tag, byte[] data) in present)
        {
            writer.UnsignedVarInt((uint)tag);
            writer.UnsignedVarInt((uint)data.Length);
            writer.Raw(data);
        }
    }

    private static object? ReadValue(KafkaReader reader, FieldPlan field, FieldKind kind, Type? elementType, short version, bool flexible)
    {
        switch (kind)
        {
            case FieldKind.Bool: return reader.Bool();
            case FieldKind.Int8: return reader.Int8();
            case FieldKind.Int16: return reader.Int16();
            case FieldKind.UInt16: return reader.UInt16();
            case FieldKind.Int32: return reader.Int32();
            case FieldKind.Int64: return reader.Int64();
            case FieldKind.Float64: return reader.Float64();
            case FieldKind.Uuid: return reader.Uuid();
            case FieldKind.String:
                return NullChecked(reader.String(flexible), field, version, reader);
            case FieldKind.Bytes:
                return NullChecked(reader.Bytes(flexible), field, version, reader) is ReadOnlyMemory<byte> bytes ? bytes.ToArray() : null;
            case FieldKind.Memory:
                return NullChecked(reader.Bytes(flexible), field, version, reader);
            case FieldKind.Struct:
                // A struct field that may be null carries a presence byte; array elements never do.
                if (field.Kind == FieldKind.Struct && field.Nullable.Contains(version) && reader.Int8() < 0)
                {
                    return null;
                }

                return StructPlan.For(elementType!).Read(reader, version, flexible);
            default:
                int count = reader.ArrayLength(flexible);
                if (count < 0)
                {
                    return NullChecked(null, field, version, reader);
                }

                var list = (IList)Activator.CreateInstance(field.Property.PropertyType, count)!;
                for (int i = 0; i < count; i++)
                {
                    list.Add(ReadValue(reader, field, field.ElementKind, field.ElementKind == FieldKind.Struct ? field.ElementType : null, version, flexible));
                }

                return list;
        }
    }

    private static void WriteValue(KafkaWriter writer, FieldPlan field, FieldKind kind, object? value, short version, bool flexible)
    {
        switch (kind)
        {
            case FieldKind.Bool: writer.Bool((bool)value!); break;
            case FieldKind.Int8: writer.Int8((sbyte)value!); break;
            case FieldKind.Int16: writer.Int16((short)value!); break;
            case FieldKind.UInt16: writer.UInt16((ushort)value!); break;
            case FieldKind.Int32: writer.Int32((int)value!); break;
            case FieldKind.Int64: writer.Int64((long)value!); break;
            case FieldKind.Float64: writer.Float64((double)value!); break;
            case FieldKind.Uuid: writer.Uuid((Guid)value!); break;
            case FieldKind.String:
                writer.String((string?)CheckWritable(value, field, version), flexible);
                break;
            case FieldKind.Bytes:
                writer.Bytes((byte[]?)CheckWritable(value, field, version), value is null, flexible);
                break;
            case FieldKind.Memory:
                var memory = (ReadOnlyMemory<byte>?)CheckWritable(value, field, version);
                writer.Bytes(memory is { } m ? m.Span : default, memory is null, flexible);
                break;
            case FieldKind.Struct:
                if (field.Nullable.Contains(version))
                {
                    writer.Int8(value is null ? (sbyte)-1 : (sbyte)1);
                    if (value is null)
                    {
                        break;
                    }
                }

                StructPlan.For(field.ElementType!).Write(writer, CheckWritable(value, field, version)!, version, flexible);
                break;
            default:
                if (CheckWritable(value, field, version) is not IList list)
                {
                    writer.ArrayLength(-1, flexible);
                    break;
                }

                writer.ArrayLength(list.Count, flexible);
                foreach (object? element in list)
                {
                    WriteElement(writer, field, element, version, flexible);
                }

                break;
        }
    }

    private static void WriteElement(KafkaWriter writer, FieldPlan field, object? element, short version, bool flexible)
    {
        if (field.ElementKind == FieldKind.Struct)
        {
            StructPlan.For(field.ElementType!).Write(writer, element ?? throw new InvalidOperationException($"{field.Name} holds a null element."), version, flexible);
        }
        else
        {
            WriteValue(writer, field, field.ElementKind, element, version, flexible);
        }
    }

    private static object? NullChecked(object? value, FieldPlan field, short version, KafkaReader reader) =>
        value is null && !field.Nullable.Contains(version)
            ? throw new KafkaProtocolException($"{field.Name} is null at byte {reader.Position}, which version {version} does not allow.")
            : value;

    private static object? CheckWritable(object? value, FieldPlan field, short version) =>
        value is null && !field.Nullable.Contains(version)
            ? throw new InvalidOperationException($"{field.Name} is null, which version {version} does not allow.")
            : value;

    private static bool IsDefault(object? value, Type type) => value switch
    {
        null => true,
        IList list => list.Count == 0,
        _ => type.IsValueType && value.Equals(Activator.CreateInstance(type)),
    };
}
