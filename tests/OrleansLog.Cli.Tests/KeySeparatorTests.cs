using System.Text;
using OrleansLog.Cli.Arguments;

namespace OrleansLog.Cli.Tests;

/// <summary>
/// Protects how produce turns input lines into records: the key is the text before the first separator
/// (multi-byte separators and UTF-8 text included), a line without one is InvalidRecord naming the line,
/// and line splitting handles CRLF, a missing final newline, and lines longer than the read buffer.
/// </summary>
public sealed class KeySeparatorTests
{
    [Theory]
    [InlineData(":", "user-1:clicked:twice", "user-1", "clicked:twice")]
    [InlineData(":", ":no key", "", "no key")]
    [InlineData(":", "no value:", "no value", "")]
    [InlineData("::", "a:b::c", "a:b", "c")]
    [InlineData("→", "schlüssel→wert", "schlüssel", "wert")]
    [InlineData("\\t", "k\tv\tw", "k", "v\tw")]
    public void Split_AtFirstSeparator(string separator, string line, string expectedKey, string expectedValue)
    {
        (byte[] key, byte[] value) = new KeySeparator(separator).Split(Encoding.UTF8.GetBytes(line), lineNumber: 1);

        Assert.Equal(expectedKey, Encoding.UTF8.GetString(key));
        Assert.Equal(expectedValue, Encoding.UTF8.GetString(value));
    }

    [Fact]
    public void Split_LineWithoutSeparator_IsInvalidRecordNamingTheLine()
    {
        CliException error = Assert.Throws<CliException>(() => new KeySeparator(",").Split("no separator here"u8, lineNumber: 42));

        Assert.Equal(ErrorCode.InvalidRecord, error.Error);
        Assert.Equal("input line 42 has no key separator ','", error.Message);
    }

    [Fact]
    public async Task LineReader_SplitsCrLfAndLfAndKeepsAnUnterminatedLastLine()
    {
        Assert.Equal(["one", "", "two", "three"], await ReadAllAsync("one\r\n\ntwo\nthree", bufferBytes: 4));
    }

    [Fact]
    public async Task LineReader_EmptyInput_HasNoLines_AndTrailingNewlineAddsNone()
    {
        Assert.Empty(await ReadAllAsync(string.Empty, bufferBytes: 16));
        Assert.Equal(["a"], await ReadAllAsync("a\n", bufferBytes: 16));
    }

    [Fact]
    public async Task LineReader_LineLongerThanTheBuffer_ArrivesWhole()
    {
        string longLine = new('x', 10_000);

        Assert.Equal(["short", longLine, "end"], await ReadAllAsync($"short\n{longLine}\nend\n", bufferBytes: 16));
    }

    private static async Task<List<string>> ReadAllAsync(string text, int bufferBytes)
    {
        var reader = new LineReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), bufferBytes);
        var lines = new List<string>();
        while (true)
        {
            (bool read, ReadOnlyMemory<byte> line) = await reader.ReadLineAsync(TestContext.Current.CancellationToken);
            if (!read)
            {
                return lines;
            }

            lines.Add(Encoding.UTF8.GetString(line.Span));
        }
    }
}
