using System.Globalization;
using OrleansLog.Groups;

namespace OrleansLog.Cli.Arguments;

/// <summary>
/// The target of <c>groups reset-offsets</c>: exactly one of <c>--to-earliest</c>, <c>--to-latest</c>,
/// <c>--to-offset N</c> and <c>--to-datetime ISO</c> (Kafka's kafka-consumer-groups spellings).
/// </summary>
internal static class OffsetResetArguments
{
    public const string ToEarliest = "--to-earliest";
    public const string ToLatest = "--to-latest";
    public const string ToOffset = "--to-offset";
    public const string ToDatetime = "--to-datetime";

    /// <summary>
    /// The reset the switches ask for. A date and time without a UTC offset is taken as UTC, so a script
    /// means the same instant on every machine.
    /// </summary>
    /// <exception cref="CliException">A usage error: none or several targets, a negative offset, or a malformed date.</exception>
    public static OffsetResetSpec Parse(bool toEarliest, bool toLatest, long? toOffset, string? toDatetime)
    {
        var given = new List<string>();
        if (toEarliest)
        {
            given.Add(ToEarliest);
        }

        if (toLatest)
        {
            given.Add(ToLatest);
        }

        if (toOffset is not null)
        {
            given.Add(ToOffset);
        }

        if (toDatetime is not null)
        {
            given.Add(ToDatetime);
        }

        if (given.Count != 1)
        {
            throw CliException.Usage(
                $"give exactly one of {ToEarliest}, {ToLatest}, {ToOffset} or {ToDatetime}; " +
                (given.Count == 0 ? "none was given" : $"got {string.Join(" and ", given)}"));
        }

        if (toEarliest)
        {
            return new OffsetResetSpec(OffsetResetKind.Earliest, 0);
        }

        if (toLatest)
        {
            return new OffsetResetSpec(OffsetResetKind.Latest, 0);
        }

        if (toOffset is { } offset)
        {
            return offset >= 0
                ? new OffsetResetSpec(OffsetResetKind.ToOffset, offset)
                : throw CliException.Usage($"{ToOffset} must be 0 or more, was {offset}");
        }

        if (!DateTimeOffset.TryParse(toDatetime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset instant))
        {
            throw CliException.Usage($"{ToDatetime} '{toDatetime}' is not an ISO 8601 date and time (for example 2024-05-01T12:00:00Z)");
        }

        return new OffsetResetSpec(OffsetResetKind.ToTimestamp, instant.ToUnixTimeMilliseconds());
    }
}
