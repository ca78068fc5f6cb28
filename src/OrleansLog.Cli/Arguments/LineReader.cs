namespace OrleansLog.Cli.Arguments;

/// <summary>
/// Reads a stream line by line as raw bytes: lines end at '\n', a '\r' before it is dropped, and a last
/// line without '\n' still counts. Produce feeds record values straight from these bytes, so a big input
/// is split without decoding it to strings and encoding it back. Not thread-safe; once a read was cancelled
/// the reader must not be used again.
/// </summary>
internal sealed class LineReader(Stream stream, int bufferBytes = 64 * 1024)
{
    private byte[] _buffer = new byte[bufferBytes];
    private int _start;
    private int _end;
    private bool _endOfStream;

    /// <summary>
    /// The next line without its terminator, or false at the end of the stream. The memory stays valid
    /// only until the next call.
    /// </summary>
    public async ValueTask<(bool Read, ReadOnlyMemory<byte> Line)> ReadLineAsync(CancellationToken cancellationToken)
    {
        int searchFrom = _start;
        while (true)
        {
            int newline = _buffer.AsSpan(searchFrom, _end - searchFrom).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                int lineEnd = searchFrom + newline;
                ReadOnlyMemory<byte> line = TrimCarriageReturn(_buffer.AsMemory(_start, lineEnd - _start));
                _start = lineEnd + 1;
                return (true, line);
            }

            if (_endOfStream)
            {
                if (_start == _end)
                {
                    return (false, ReadOnlyMemory<byte>.Empty);
                }

                ReadOnlyMemory<byte> last = TrimCarriageReturn(_buffer.AsMemory(_start, _end - _start));
                _start = _end;
                return (true, last);
            }

            // Everything up to _end has been searched; keep that across the move in MakeRoom.
            int searched = _end - _start;
            MakeRoom();
            searchFrom = _start + searched;
            // Standard input's stream reads synchronously underneath and ignores the token once a read has
            // started: an interrupted command stops waiting for it here (the reader is not used afterwards).
            int read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).AsTask().WaitAsync(cancellationToken);
            if (read == 0)
            {
                _endOfStream = true;
            }

            _end += read;
        }
    }

    /// <summary>Moves the partial line to the front, growing the buffer when the line fills it.</summary>
    private void MakeRoom()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
    }

    private static ReadOnlyMemory<byte> TrimCarriageReturn(ReadOnlyMemory<byte> line) =>
        line.Length > 0 && line.Span[^1] == (byte)'\r' ? line[..^1] : line;
}
