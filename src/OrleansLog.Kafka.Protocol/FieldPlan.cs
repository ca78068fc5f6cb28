using System.Reflection;

namespace OrleansLog.Kafka.Protocol;

/// <summary>How one declared field is read and written: its property, wire type, versions and tag.</summary>
internal sealed class FieldPlan
{
    private StructPlan? _struct;

    public FieldPlan(PropertyInfo property, KafkaFieldAttribute field)
    {
        Property = property;
        Field = field;
        Nullable = VersionRange.Parse(field.NullableVersions);
        TaggedVersions = VersionRange.Parse(field.TaggedVersions);
        (Kind, ElementType) = KindOf(property.PropertyType);
        if (Kind == FieldKind.Array)
        {
            (ElementKind, _) = KindOf(ElementType!);
            if (ElementKind == FieldKind.Array)
            {
                throw new InvalidOperationException($"{Name}: arrays of arrays are not a Kafka type.");
            }
        }
    }

    public PropertyInfo Property { get; }

    public KafkaFieldAttribute Field { get; }

    public string Name => $"{Property.DeclaringType!.Name}.{Property.Name}";

    public VersionRange Nullable { get; }

    public VersionRange TaggedVersions { get; }

    public bool IsTagged => Field.Tag >= 0;

    public FieldKind Kind { get; }

    /// <summary>The element type of an array; the structure type of a struct.</summary>
    public Type? ElementType { get; }

    public FieldKind ElementKind { get; }

    /// <summary>The plan of the structure (a struct field, or an array of structures).</summary>
    public StructPlan Struct => _struct ??= StructPlan.For(ElementType!);

    private static (FieldKind Kind, Type? Element) KindOf(Type type) => type switch
    {
        _ when type == typeof(bool) => (FieldKind.Bool, null),
        _ when type == typeof(sbyte) => (FieldKind.Int8, null),
        _ when type == typeof(short) => (FieldKind.Int16, null),
        _ when type == typeof(ushort) => (FieldKind.UInt16, null),
        _ when type == typeof(int) => (FieldKind.Int32, null),
        _ when type == typeof(long) => (FieldKind.Int64, null),
        _ when type == typeof(double) => (FieldKind.Float64, null),
        _ when type == typeof(Guid) => (FieldKind.Uuid, null),
        _ when type == typeof(string) => (FieldKind.String, null),
        _ when type == typeof(byte[]) => (FieldKind.Bytes, null),
        _ when type == typeof(ReadOnlyMemory<byte>?) => (FieldKind.Memory, null),
        { IsGenericType: true } when type.GetGenericTypeDefinition() == typeof(List<>) => (FieldKind.Array, type.GetGenericArguments()[0]),
        { IsClass: true } => (FieldKind.Struct, type),
        _ => throw new InvalidOperationException($"{type.Name} is not a Kafka field type."),
    };
}
