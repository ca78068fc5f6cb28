using System.IO.Pipelines;
using System.Text;
using OrleansLog.Cli.Arguments;
using OrleansLog.Cli.Producing;
using OrleansLog.Cli.Tests.Support;
using OrleansLog.Client.Tests;
using OrleansLog.Client;

namespace OrleansLog.Cli.Tests;

/// <summary>
/// Protects <c>olog produce</c>'s pipeline: one record per line with the key split off, records handed to
/// the producer without waiting for acknowledgements, <c>--print-metadata</c> lines in input order even
/// when acknowledgements arrive out of order and as soon as they arrive (stdin still open), a failed record
/// reported with its input line without stopping the records after it, and an interrupted run reporting
/// every record acknowledged by then.
/// </summary>
public sealed class LineProducerTests
{
    [Fact]
    public async Task PrintMetadata_FollowsInputOrder_WhenAcksArriveInReverse()
    {
        var producer = new RecordingProducer();
        var output = new StringWriter { NewLine = "\n" };
        var lines = new LineProducer(producer, "t", partition: null, keySeparator: null, metadataOutput: output);

        await lines.RunAsync(Reader("a\nb\nc\n"), TestContext.Current.CancellationToken);

        Assert.Equal("{\"partition\":0,\"offset\":100}\n{\"partition\":1,\"offset\":101}\n{\"partition\":0,\"offset\":102}\n", output.ToString());
        Assert.Equal(3, lines.Acknowledged);
    }

    [Fact]
    public async Task KeySeparatorAndPartition_ShapeEachMessage()
    {
        var producer = new RecordingProducer();
        var lines = new LineProducer(producer, "t", partition: 4, new KeySeparator(":"), metadataOutput: null);

        await lines.RunAsync(Reader("user-1:clicked\nuser-2:a:b"), TestContext.Current.CancellationToken);

        Assert.Equal(["user-1", "user-2"], producer.Produced.Select(m => Encoding.UTF8.GetString(m.Key!)));
        Assert.Equal(["clicked", "a:b"], producer.Produced.Select(m => Encoding.UTF8.GetString(m.Value!)));
        Assert.All(producer.Produced, m => Assert.Equal(4, m.Partition));
    }

    [Fact]
    public async Task WithoutKeySeparator_KeysAreNull()
    {
        var producer = new RecordingProducer();

        await new LineProducer(producer, "t", null, null, null).RunAsync(Reader("a:b\n"), TestContext.Current.CancellationToken);

        Message message = Assert.Single(producer.Produced);
        Assert.Null(message.Key);
        Assert.Equal("a:b", Encoding.UTF8.GetString(message.Value!));
    }

    [Fact]
    public async Task FailedRecord_IsReportedWithItsLine_TheRecordsAfterItStillGo_AndTheRunFailsAtTheEnd()
    {
        var producer = new RecordingProducer();
        var output = new StringWriter { NewLine = "\n" };
        var errors = new StringWriter { NewLine = "\n" };
        var lines = new LineProducer(producer, "t", null, null, output, errors);

        OrleansLogException error = await Assert.ThrowsAsync<OrleansLogException>(
            () => lines.RunAsync(Reader("ok\nfail\nlater\n"), TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.MessageTooLarge, error.Error);
        Assert.Equal("1 of 3 record(s) failed; the first, input line 2: record 1 is too large", error.Message);
        Assert.Equal(
            "{\"partition\":0,\"offset\":100}\n{\"line\":2,\"error\":\"MessageTooLarge\",\"message\":\"record 1 is too large\"}\n{\"partition\":0,\"offset\":102}\n",
            output.ToString());
        Assert.Equal("error: MessageTooLarge: input line 2: record 1 is too large\n", errors.ToString());
        Assert.Equal(["ok", "fail", "later"], producer.Produced.Select(m => Encoding.UTF8.GetString(m.Value!)));
    }

    [Fact]
    public async Task Metadata_IsPrintedAsRecordsAreAcknowledged_WhileInputIsStillOpen()
    {
        var producer = new ManualProducer();
        var output = new LineCountingWriter();
        var input = new Pipe();
        var lines = new LineProducer(producer, "t", null, null, output);
        Task run = lines.RunAsync(new LineReader(input.Reader.AsStream()), TestContext.Current.CancellationToken);

        await input.Writer.WriteAsync("a\nb\n"u8.ToArray(), TestContext.Current.CancellationToken);
        await producer.WaitForAsync(2).Within("the two lines reaching the producer");
        producer.Acknowledge(0);
        producer.Acknowledge(1);

        await output.WaitForLinesAsync(2).Within("metadata for the two acknowledged records before input ends");
        Assert.False(run.IsCompleted);
        Assert.Equal("{\"partition\":0,\"offset\":0}\n{\"partition\":0,\"offset\":1}\n", output.ToString());

        await input.Writer.CompleteAsync();
        await run.Within("the run ending with its input");
    }

    [Fact]
    public async Task Interrupted_ReportsEveryAcknowledgedRecord_AndCountsTheOthers()
    {
        var producer = new ManualProducer();
        var output = new LineCountingWriter();
        var errors = new StringWriter { NewLine = "\n" };
        var input = new Pipe();
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var lines = new LineProducer(producer, "t", null, null, output, errors);
        Task run = lines.RunAsync(new LineReader(input.Reader.AsStream()), interrupt.Token);
        await input.Writer.WriteAsync("a\nb\nc\n"u8.ToArray(), TestContext.Current.CancellationToken);
        await producer.WaitForAsync(3).Within("the three lines reaching the producer");
        producer.Acknowledge(0);
        producer.Acknowledge(1);

        await interrupt.CancelAsync(); // SIGTERM; the third record is never acknowledged

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Within("the interrupted run ending"));
        Assert.Equal("{\"partition\":0,\"offset\":0}\n{\"partition\":0,\"offset\":1}\n", output.ToString());
        Assert.Equal(
            "interrupted after 3 input line(s): 2 record(s) acknowledged, 0 failed, 1 not acknowledged (these may or may not have been written)\n",
            errors.ToString());
    }

    [Fact]
    public async Task LineWithoutSeparator_FailsNamingTheLine()
    {
        var lines = new LineProducer(new RecordingProducer(), "t", null, new KeySeparator(":"), null);

        CliException error = await Assert.ThrowsAsync<CliException>(
            () => lines.RunAsync(Reader("k:v\nno key here\n"), TestContext.Current.CancellationToken));

        Assert.Equal("input line 2 has no key separator ':'", error.Message);
    }

    private static LineReader Reader(string text) => new(new MemoryStream(Encoding.UTF8.GetBytes(text)));
}
