namespace OrleansLog.Kafka.Protocol;

/// <summary>
/// One field of a message or of a structure inside one, as Kafka's message definitions declare it: its
/// place, the versions it exists in, the versions in which it may be null, and, for a tagged field, its tag.
/// The wire type follows from the property's type: <c>bool</c>, <c>sbyte</c> (int8), <c>short</c>,
/// <c>ushort</c>, <c>int</c>, <c>long</c>, <c>double</c>, <c>Guid</c> (uuid), <c>string</c>,
/// <c>byte[]</c> (bytes, records), a class of fields (a structure), or a <c>List&lt;&gt;</c> of any of these.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class KafkaFieldAttribute(int order, string versions = "0+") : Attribute
{
    public int Order { get; } = order;

    public VersionRange Versions { get; } = VersionRange.Parse(versions);

    /// <summary>The versions in which the field may be null (strings, bytes, arrays, structures).</summary>
    public string NullableVersions { get; init; } = "none";

    /// <summary>The tag of a tagged field (flexible versions only); -1 for a regular field.</summary>
    public int Tag { get; init; } = -1;

    /// <summary>The versions in which the tagged field may be sent.</summary>
    public string TaggedVersions { get; init; } = "none";
}
