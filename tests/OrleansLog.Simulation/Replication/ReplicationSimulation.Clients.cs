using System.Buffers.Binary;
using System.Text;
using OrleansLog.Grains.Partitions;
using OrleansLog.Records;

namespace OrleansLog.Simulation.Replication;

/// <summary>
/// The clients: an idempotent producer with acks=all (one batch in flight, retried to whichever node leads
/// until it is answered, as Kafka's producer with max.in.flight=1 does) and a consumer reading from the leader.
/// </summary>
internal sealed partial class ReplicationSimulation
{
    private readonly List<(long Offset, uint Crc)> _acknowledged = [];
    private readonly List<(SimulatedNode Node, Partition Copy, Task<AppendResult> Task, InFlightBatch Batch)> _produces = [];
    private readonly List<(SimulatedNode Node, Partition Copy, Task<AppendResult> Task)> _leaderOnly = [];
    private InFlightBatch? _inFlight;
    private long _producerId = 1000;
    private int _nextSequence;
    private int _nextValue;

    private string? Produce()
    {
        SimulatedNode[] leaders = [.. _nodes.Values.Where(n => n.Leading)];
        if (leaders.Length == 0)
        {
            return null;
        }

        if (_random.Next(5) < 2)
        {
            // A second producer with acks=1 and no idempotence: every batch is new and never retried, so a
            // deposed leader's log gets a suffix the next leader does not have (what truncation must cut).
            SimulatedNode target = Pick(leaders);
            using var builder = new RecordBatchBuilder();
            builder.TryAppend(1_700_000_000_000 + _nextValue, null, Encoding.UTF8.GetBytes($"seed {_seed} acks=1 value {_nextValue++}"));
            Task<AppendResult> sent = target.Copy!.AppendAsync(builder.SealToArray(), Acks.Leader, CancellationToken.None);
            _leaderOnly.Add((target, target.Copy, sent));
            return $"acks=1 producer sends value {_nextValue - 1} to {target.Id}";
        }

        if (_inFlight is { } pending && _produces.Any(p => p.Batch == pending) && _random.Next(4) != 0)
        {
            return null; // the last attempt is still waiting; the producer retries only after its timeout
        }

        InFlightBatch batch = _inFlight ??= NewBatch();
        SimulatedNode leader = Pick(leaders);
        batch.Attempts++;
        Task<AppendResult> task = leader.Copy!.AppendAsync(batch.Bytes.ToArray(), Acks.All, CancellationToken.None);
        _produces.Add((leader, leader.Copy, task, batch));
        return $"producer {batch.ProducerId} sends sequence {batch.Sequence} (crc {batch.Crc:x8}, attempt {batch.Attempts}) to {leader.Id}";
    }

    private InFlightBatch NewBatch()
    {
        using var builder = new RecordBatchBuilder();
        builder.SetProducerState(_producerId, 0, _nextSequence);
        builder.TryAppend(1_700_000_000_000 + _nextValue, null, Encoding.UTF8.GetBytes($"seed {_seed} value {_nextValue++}"));
        byte[] bytes = builder.SealToArray();
        return new InFlightBatch(_producerId, _nextSequence, bytes, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(RecordBatchLayout.CrcPosition)));
    }

    /// <summary>Reads what finished: an acknowledged batch must be committed; the producer moves on or retries.</summary>
    private void CollectProduceOutcomes()
    {
        // acks=1 answers promise nothing about replication; a storage error moves leadership as the grain does.
        foreach ((SimulatedNode sentTo, Partition copy, Task<AppendResult> sent) in _leaderOnly.Where(l => l.Task.IsCompleted).ToList())
        {
            _leaderOnly.RemoveAll(l => l.Task == sent);
            if (sent.Result.Error == ErrorCode.KafkaStorageError)
            {
                LeaveAfterStorageFailure(sentTo, copy, sent.Result.Message ?? "storage error");
            }
        }

        for (int i = 0; i < _produces.Count; i++)
        {
            (SimulatedNode node, Partition copy, Task<AppendResult> task, InFlightBatch batch) = _produces[i];
            if (!task.IsCompleted)
            {
                continue;
            }

            _produces.RemoveAt(i--);
            AppendResult result = task.Result;
            Trace($"{node.Id} answers sequence {batch.Sequence}: {result.Error} {(result.IsSuccess ? $"at offset {result.BaseOffset}" : result.Message)}");
            if (result.Error == ErrorCode.KafkaStorageError)
            {
                LeaveAfterStorageFailure(node, copy, result.Message ?? "storage error");
            }

            if (result.IsSuccess)
            {
                if (_acknowledged.Any(a => a.Crc == batch.Crc && a.Offset != result.BaseOffset))
                {
                    throw new InvariantViolation($"sequence {batch.Sequence} of producer {batch.ProducerId} was acknowledged at offsets {_acknowledged.First(a => a.Crc == batch.Crc).Offset} and {result.BaseOffset}");
                }

                _acknowledged.Add((result.BaseOffset, batch.Crc));
                Commit(result.BaseOffset, batch.Crc, $"acknowledged by {node.Id}");
                if (_inFlight == batch)
                {
                    _inFlight = null;
                    _nextSequence++;
                }
            }
            else if (_inFlight == batch && result.Error is ErrorCode.OutOfOrderSequenceNumber or ErrorCode.UnknownProducerId or ErrorCode.InvalidProducerEpoch)
            {
                // Fatal for this producer (its state on the new leader does not know the sequence): start a new one, as an application would.
                _inFlight = null;
                _producerId++;
                _nextSequence = 0;
            }
        }
    }

    /// <summary>A consumer fetch from a leader: nothing at or above the high watermark, nothing that differs from what was committed.</summary>
    private string? Consume()
    {
        SimulatedNode[] leaders = [.. _nodes.Values.Where(n => n.Leading)];
        if (leaders.Length == 0)
        {
            return null;
        }

        SimulatedNode leader = Pick(leaders);
        Partition served = leader.Copy!;
        long start = served.Log.LogStartOffset;
        long offset = start + _random.Next((int)Math.Max(1, served.HighWatermark - start + 1));
        Task<FetchResult> fetch = served.FetchAsync(new FetchRequest(offset, 1024, 0, 0), CancellationToken.None);
        _context.RunUntilIdle();
        if (!fetch.IsCompleted)
        {
            throw new InvariantViolation($"a consumer fetch with max wait 0 from {leader.Id} did not complete");
        }

        FetchResult result = fetch.Result;
        if (result.Error == ErrorCode.KafkaStorageError)
        {
            LeaveAfterStorageFailure(leader, served, result.Message ?? "storage error");
        }

        try
        {
            byte[] bytes = result.Records.ToArray();
            int batches = 0;
            for (int position = 0; position + RecordBatchLayout.LogOverhead <= bytes.Length; batches++)
            {
                RecordBatchHeader header = RecordBatchHeader.Read(bytes.AsSpan(position));
                if (header.LastOffset >= result.HighWatermark)
                {
                    throw new InvariantViolation($"a consumer of {leader.Id} saw offset {header.LastOffset}, at or above the high watermark {result.HighWatermark}");
                }

                Commit(header.BaseOffset, header.Crc, $"read by a consumer from {leader.Id}");
                position += header.SizeInBytes;
            }

            return $"consumer reads {leader.Id} from {offset}: {result.Error}, {batches} batch(es) below HW {result.HighWatermark}";
        }
        finally
        {
            result.Records.Dispose();
        }
    }

    private sealed class InFlightBatch(long producerId, int sequence, byte[] bytes, uint crc)
    {
        public long ProducerId { get; } = producerId;

        public int Sequence { get; } = sequence;

        public byte[] Bytes { get; } = bytes;

        public uint Crc { get; } = crc;

        public int Attempts { get; set; }
    }
}
