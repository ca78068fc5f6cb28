namespace OrleansLog.Cli.Arguments;

/// <summary>
/// Turns repeated <c>--config key=value</c> options into the override map the broker takes. Only the
/// syntax is checked here (InvalidConfig naming the entry); keys and values are checked by the broker
/// against the topic's effective configuration, so the rules live in one place (TopicConfigParser).
/// </summary>
internal static class TopicConfigArguments
{
    public static Dictionary<string, string> Parse(IEnumerable<string>? entries)
    {
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        if (entries is null)
        {
            return config;
        }

        foreach (string entry in entries)
        {
            int equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                throw new CliException(ErrorCode.InvalidConfig, $"--config '{entry}' must be key=value (for example retention.ms=86400000)");
            }

            string key = entry[..equals].Trim();
            string value = entry[(equals + 1)..].Trim();
            if (key.Length == 0)
            {
                throw new CliException(ErrorCode.InvalidConfig, $"--config '{entry}' has no key before '='");
            }

            if (config.TryGetValue(key, out string? earlier))
            {
                throw new CliException(ErrorCode.InvalidConfig, $"--config gives {key} twice ('{earlier}' and '{value}')");
            }

            config[key] = value;
        }

        return config;
    }
}
