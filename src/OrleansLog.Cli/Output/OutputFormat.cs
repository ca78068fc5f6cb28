using System.CommandLine;

namespace OrleansLog.Cli.Output;

/// <summary>The <c>--format text|json</c> option shared by describe, consume and log dump.</summary>
internal static class OutputFormat
{
    public const string Text = "text";
    public const string Json = "json";

    public static Option<string> Option(string description = "Output format: text for people, json for programs (one object per line).")
    {
        var option = new Option<string>("--format") { Description = description, DefaultValueFactory = _ => Text };
        option.AcceptOnlyFromAmong(Text, Json);
        return option;
    }

    public static bool IsJson(string? format) => string.Equals(format, Json, StringComparison.OrdinalIgnoreCase);
}
