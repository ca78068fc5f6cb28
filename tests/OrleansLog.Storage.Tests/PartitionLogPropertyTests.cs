using CsCheck;
using OrleansLog.Records;
using OrleansLog.Storage.Tests.TestSupport;

namespace OrleansLog.Storage.Tests;

/// <summary>
/// Protects the log as a whole against a model: random sequences of append, roll, truncate, clean reopen
/// and crash (no clean shutdown, tail cut at a random byte) are applied to a real log and to a list of
/// batches; after every step the log holds exactly the model's batches, byte for byte, at every offset.
/// Seeded and replayable: CsCheck prints the seed of a failing case; rerun it with the environment variable
/// <c>CsCheck_Seed=&lt;seed&gt;</c> and <c>--filter-method *RandomOperations*</c>.
/// </summary>
public sealed class PartitionLogPropertyTests
{
    private enum Kind
    {
        Append,
        Roll,
        Truncate,
        Reopen,
        Crash,
    }

    private readonly record struct Op(Kind Kind, int Records, int PayloadBytes, int Random)
    {
        public override string ToString() => Kind switch
        {
            Kind.Append => $"Append({Records} records, {PayloadBytes} bytes)",
            Kind.Truncate => $"Truncate(r={Random})",
            Kind.Crash => $"Crash(cut r={Random})",
            _ => Kind.ToString(),
        };
    }

    private static readonly Gen<Op> GenOp = Gen.Select(
        Gen.Frequency((12, Kind.Append), (1, Kind.Roll), (2, Kind.Truncate), (1, Kind.Reopen), (2, Kind.Crash)),
        Gen.Int[1, 5],
        Gen.Int[0, 300],
        Gen.Int[0, int.MaxValue],
        (kind, records, payload, random) => new Op(kind, records, payload, random));

    private sealed record Scenario(Op[] Ops, int IndexInterval)
    {
        public override string ToString() => $"index interval {IndexInterval}: {string.Join(", ", Ops)}";
    }

    [Fact]
    public async Task RandomOperations_AgreeWithAListOfBatches()
    {
        Gen<Scenario> scenarios = Gen.Select(GenOp.Array[1, 40], Gen.OneOf(0, 64, 256, 4096), (ops, interval) => new Scenario(ops, interval));
        await scenarios.SampleAsync(scenario => RunAsync(scenario), iter: 150, threads: 1);
    }

    private static async Task RunAsync(Scenario scenario)
    {
        Op[] ops = scenario.Ops;
        int indexInterval = scenario.IndexInterval;
        using var harness = new LogHarness();
        harness.Options.IndexIntervalBytes = indexInterval;
        var model = new List<byte[]>();
        PartitionLog log = harness.Open();
        try
        {
            for (int step = 0; step < ops.Length; step++)
            {
                Op op = ops[step];
                switch (op.Kind)
                {
                    case Kind.Append:
                        byte[] batch = TestBatches.Create(op.Records, op.PayloadBytes, 1_000 + step, seed: op.Random);
                        await log.AppendAsync(batch, 0, TestContext.Current.CancellationToken);
                        model.Add(batch);
                        break;

                    case Kind.Roll:
                        log.Roll();
                        break;

                    case Kind.Truncate:
                        long target = log.LogEndOffset == 0 ? 0 : op.Random % (log.LogEndOffset + 1);
                        log.TruncateTo(target);
                        model.RemoveAll(b => RecordBatchHeader.Read(b).LastOffset >= target);
                        break;

                    case Kind.Reopen:
                        log.Close();
                        log = harness.Open();
                        Assert.True(log.LastRecovery.WasCleanShutdown, "a clean close must reopen without a rescan");
                        break;

                    case Kind.Crash:
                        log = Crash(harness, log, model, op.Random);
                        break;
                }

                Assert.True(log.LogEndOffset == (model.Count == 0 ? log.LogStartOffset : RecordBatchHeader.Read(model[^1]).NextOffset),
                    $"after step {step} ({op}) the log ends at {log.LogEndOffset}, the model at {(model.Count == 0 ? 0 : RecordBatchHeader.Read(model[^1]).NextOffset)}");
                LogHarness.AssertHolds(log, model);
            }
        }
        finally
        {
            log.Close();
        }
    }

    /// <summary>Drops the log without a clean shutdown, cuts its last segment at a random byte, reopens.</summary>
    private static PartitionLog Crash(LogHarness harness, PartitionLog log, List<byte[]> model, int random)
    {
        long lastBase = log.SegmentBaseOffsets[^1];
        log.Abandon();
        string lastSegment = LogFileNames.LogFile(harness.Directory, lastBase);
        long length = new FileInfo(lastSegment).Length;
        long cut = random % (length + 1);
        using (FileStream file = File.OpenWrite(lastSegment))
        {
            file.SetLength(cut);
        }

        // The model keeps the last segment's batches that end at or before the cut.
        long position = 0;
        model.RemoveAll(b =>
        {
            if (RecordBatchHeader.Read(b).BaseOffset < lastBase)
            {
                return false;
            }

            position += b.Length;
            return position > cut;
        });

        PartitionLog reopened = harness.Open();
        Assert.False(reopened.LastRecovery.WasCleanShutdown);
        return reopened;
    }
}
