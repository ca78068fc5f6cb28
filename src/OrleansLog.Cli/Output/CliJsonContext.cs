using System.Text.Json.Serialization;

namespace OrleansLog.Cli.Output;

/// <summary>Source-generated serializers for everything <c>olog</c> prints as JSON; names are snake_case.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TopicDescriptionJson))]
[JsonSerializable(typeof(ConsumedRecordJson))]
[JsonSerializable(typeof(ProducedRecordJson))]
[JsonSerializable(typeof(FailedRecordJson))]
[JsonSerializable(typeof(PerfResultJson))]
[JsonSerializable(typeof(EndToEndResultJson))]
[JsonSerializable(typeof(LogBatchJson))]
[JsonSerializable(typeof(ClusterDescriptionJson))]
[JsonSerializable(typeof(GroupDescriptionJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
