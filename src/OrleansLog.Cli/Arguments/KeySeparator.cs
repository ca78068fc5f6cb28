using System.Text;

namespace OrleansLog.Cli.Arguments;

/// <summary>
/// Splits a produce input line into key and value at the first occurrence of the separator, as Kafka's
/// console producer does with <c>parse.key=true</c>. Works on the UTF-8 bytes of the line, so a line is
/// never decoded and re-encoded. A line without the separator is an error (InvalidRecord), as in Kafka:
/// guessing a null key would send the record to a different partition than the user meant.
/// </summary>
internal sealed class KeySeparator
{
    private readonly byte[] _separator;
    private readonly string _display;

    public KeySeparator(string separator)
    {
        ArgumentException.ThrowIfNullOrEmpty(separator);
        string unescaped = Unescape(separator);
        _separator = Encoding.UTF8.GetBytes(unescaped);
        _display = separator;
    }

    /// <summary>
    /// <c>\t</c> spelled as two characters means a tab, because passing a literal tab through a shell is
    /// awkward (Kafka's default key.separator is a tab).
    /// </summary>
    public static string Unescape(string separator) => separator == "\\t" ? "\t" : separator;

    /// <summary>The key (text before the first separator) and the value (the rest), as new arrays.</summary>
    /// <param name="lineNumber">1-based, for the error message.</param>
    public (byte[] Key, byte[] Value) Split(ReadOnlySpan<byte> line, long lineNumber)
    {
        int at = line.IndexOf(_separator);
        if (at < 0)
        {
            throw new CliException(ErrorCode.InvalidRecord, $"input line {lineNumber} has no key separator '{_display}'");
        }

        return (line[..at].ToArray(), line[(at + _separator.Length)..].ToArray());
    }
}
