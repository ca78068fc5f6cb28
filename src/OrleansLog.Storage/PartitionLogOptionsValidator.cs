using Microsoft.Extensions.Options;

namespace OrleansLog.Storage;

/// <summary>
/// Checks <see cref="PartitionLogOptions"/>; every failure names the option, the rule and the value, e.g.
/// "PartitionLogOptions.SegmentBytes must be ≥ 1024, was 5." Hosts register it with the options system;
/// <see cref="PartitionLog.Open"/> calls <see cref="ThrowIfInvalid"/> itself.
/// </summary>
public sealed class PartitionLogOptionsValidator : IValidateOptions<PartitionLogOptions>
{
    public ValidateOptionsResult Validate(string? name, PartitionLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Check(failures, nameof(options.SegmentBytes), options.SegmentBytes, 1024);
        Check(failures, nameof(options.SegmentMs), options.SegmentMs, 1);
        Check(failures, nameof(options.IndexIntervalBytes), options.IndexIntervalBytes, 0);
        Check(failures, nameof(options.RetentionMs), options.RetentionMs, -1);
        Check(failures, nameof(options.RetentionBytes), options.RetentionBytes, -1);
        Check(failures, nameof(options.FlushIntervalMs), options.FlushIntervalMs, 1);
        Check(failures, nameof(options.MaxIndexBytes), options.MaxIndexBytes, TimeIndex.EntrySize);
        if (!Enum.IsDefined(options.FlushPolicy))
        {
            failures.Add($"PartitionLogOptions.FlushPolicy must be None, Interval or Always, was {(int)options.FlushPolicy}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws an <see cref="OptionsValidationException"/> listing every invalid option.</summary>
    public static void ThrowIfInvalid(PartitionLogOptions options)
    {
        ValidateOptionsResult result = new PartitionLogOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(
                nameof(PartitionLogOptions), typeof(PartitionLogOptions), result.Failures ?? []);
        }
    }

    private static void Check(List<string> failures, string option, long value, long minimum)
    {
        if (value < minimum)
        {
            failures.Add($"PartitionLogOptions.{option} must be ≥ {minimum}, was {value}.");
        }
    }
}
