using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OrleansLog.Cli.Output;

/// <summary>
/// Serializes output DTOs to one-line JSON. Non-ASCII text is written as is rather than as \uXXXX escapes
/// (the relaxed encoder), because people read these lines and UTF-8 is valid JSON.
/// </summary>
internal static class CliJson
{
    private static readonly JsonSerializerOptions Options = CreateOptions();

    public static string Serialize<T>(T value)
    {
        var typeInfo = (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));
        return JsonSerializer.Serialize(value, typeInfo);
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(CliJsonContext.Default.Options)
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            WriteIndented = false,
        };
        options.MakeReadOnly();
        return options;
    }
}
