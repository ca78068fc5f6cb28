using System.Text;
using OrleansLog.Cli.Arguments;
using OrleansLog.Cli.Producing;
using OrleansLog.Cli.Tests.Support;
using OrleansLog.Client;

namespace OrleansLog.Cli.Tests;

/// <summary>
/// Protects <c>olog produce</c>'s pipeline: one record per line with the key split off, records handed to
/// the producer without waiting for acknowledgements, <c>--print-metadata</c> lines in input order even
/// when acknowledgements arrive out of order, and the first failed record ending the run with its error.
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
    public async Task FailedRecord_EndsTheRunWithItsError_AfterPrintingTheRecordsBeforeIt()
    {
        var producer = new RecordingProducer();
        var output = new StringWriter { NewLine = "\n" };
        var lines = new LineProducer(producer, "t", null, null, output);

        OrleansLogException error = await Assert.ThrowsAsync<OrleansLogException>(
            () => lines.RunAsync(Reader("ok\nfail\nlater\n"), TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.MessageTooLarge, error.Error);
        Assert.Equal("{\"partition\":0,\"offset\":100}\n", output.ToString());
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
