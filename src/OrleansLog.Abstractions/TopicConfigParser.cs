using System.Globalization;

namespace OrleansLog;

/// <summary>
/// Applies <c>key=value</c> overrides to a <see cref="TopicConfig"/>. Every problem is InvalidConfig with
/// a message naming the key, the value given and what was expected; nothing is applied unless all
/// overrides are valid.
/// </summary>
public static class TopicConfigParser
{
    public static (TopicConfig? Config, AdminResult Result) Apply(TopicConfig baseConfig, IReadOnlyDictionary<string, string>? overrides)
    {
        TopicConfig config = baseConfig;
        if (overrides is null)
        {
            return (config, AdminResult.Ok);
        }

        foreach (var (key, raw) in overrides)
        {
            string value = raw?.Trim() ?? string.Empty;
            string? error = null;
            switch (key)
            {
                case TopicConfigKeys.RetentionMs:
                    error = ParseLong(key, value, -1, long.MaxValue, out long retentionMs);
                    config = config with { RetentionMs = retentionMs };
                    break;
                case TopicConfigKeys.RetentionBytes:
                    error = ParseLong(key, value, -1, long.MaxValue, out long retentionBytes);
                    config = config with { RetentionBytes = retentionBytes };
                    break;
                case TopicConfigKeys.SegmentBytes:
                    error = ParseLong(key, value, 1024, int.MaxValue, out long segmentBytes);
                    config = config with { SegmentBytes = (int)segmentBytes };
                    break;
                case TopicConfigKeys.SegmentMs:
                    error = ParseLong(key, value, 1, long.MaxValue, out long segmentMs);
                    config = config with { SegmentMs = segmentMs };
                    break;
                case TopicConfigKeys.MaxMessageBytes:
                    error = ParseLong(key, value, 0, int.MaxValue, out long maxMessageBytes);
                    config = config with { MaxMessageBytes = (int)maxMessageBytes };
                    break;
                case TopicConfigKeys.FlushMessages:
                    error = ParseLong(key, value, 1, long.MaxValue, out long flushMessages);
                    config = config with { FlushMessages = flushMessages };
                    break;
                case TopicConfigKeys.FlushMs:
                    error = ParseLong(key, value, 0, long.MaxValue, out long flushMs);
                    config = config with { FlushMs = flushMs };
                    break;
                case TopicConfigKeys.ReplicationFactor:
                    error = ParseLong(key, value, 1, short.MaxValue, out long replicationFactor);
                    config = config with { ReplicationFactor = (short)replicationFactor };
                    break;
                case TopicConfigKeys.MinInSyncReplicas:
                    error = ParseLong(key, value, 1, int.MaxValue, out long minIsr);
                    config = config with { MinInSyncReplicas = (int)minIsr };
                    break;
                case TopicConfigKeys.IndexIntervalBytes:
                    error = ParseLong(key, value, 0, int.MaxValue, out long indexInterval);
                    config = config with { IndexIntervalBytes = (int)indexInterval };
                    break;
                case TopicConfigKeys.CleanupPolicy:
                    if (value == "compact" || value == "compact,delete" || value == "delete,compact")
                    {
                        error = $"{key}={value} is not supported: log compaction is not implemented yet; use 'delete'";
                    }
                    else if (value != "delete")
                    {
                        error = $"{key} must be 'delete', was '{value}'";
                    }

                    break;
                case TopicConfigKeys.UncleanLeaderElectionEnable:
                    if (!bool.TryParse(value, out bool unclean))
                    {
                        error = $"{key} must be 'true' or 'false', was '{value}'";
                    }

                    config = config with { UncleanLeaderElectionEnable = unclean };
                    break;
                case TopicConfigKeys.MessageTimestampType:
                    if (value != "CreateTime" && value != "LogAppendTime")
                    {
                        error = $"{key} must be 'CreateTime' or 'LogAppendTime', was '{value}'";
                    }

                    config = config with { MessageTimestampType = value };
                    break;
                default:
                    error = $"unknown topic config key '{key}' (known: {string.Join(", ", TopicConfig.Default.ToDictionary().Keys)})";
                    break;
            }

            if (error is not null)
            {
                return (null, AdminResult.Failure(ErrorCode.InvalidConfig, error));
            }
        }

        if (config.MinInSyncReplicas > config.ReplicationFactor)
        {
            return (null, AdminResult.Failure(
                ErrorCode.InvalidConfig,
                $"{TopicConfigKeys.MinInSyncReplicas}={config.MinInSyncReplicas} exceeds {TopicConfigKeys.ReplicationFactor}={config.ReplicationFactor}"));
        }

        return (config, AdminResult.Ok);
    }

    private static string? ParseLong(string key, string value, long min, long max, out long result)
    {
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result))
        {
            return $"{key} must be an integer, was '{value}'";
        }

        if (result < min || result > max)
        {
            return $"{key} must be between {min} and {max}, was {result}";
        }

        return null;
    }
}
