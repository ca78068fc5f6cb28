using System.Diagnostics;
using OrleansLog.Grains;
using OrleansLog.Records;

namespace OrleansLog.Client.Tests;

/// <summary>
/// Measures the producer's own cost (no silo, a leader that answers at once) for 100-byte records, to check
/// the 1,000,000 records/s goal and that appending does not allocate per record. Explicit: run with
/// <c>--explicit only</c>; timings on a shared CI box are not assertions.
/// </summary>
public sealed class ProducerThroughputTests
{
    [Fact(Explicit = true)]
    public async Task HandlerOverload_Produces100ByteRecords_AtMillionsPerSecond()
    {
        const int Records = 3_000_000;
        var cluster = new FakeGrainFactory();
        cluster.AddTopic("perf", 8);
        await using var producer = new OrleansLogProducer(new CountingGrainFactory(cluster), new ProducerOptions(), null, null, new Random(1));
        byte[] value = new byte[100];
        long delivered = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        DeliveryHandler handler = (metadata, error) =>
        {
            if (Interlocked.Increment(ref delivered) == Records)
            {
                done.TrySetResult();
            }
        };
        var message = new Message { Value = value };

        await producer.ProduceAsync("perf", message, handler, TestContext.Current.CancellationToken); // warm-up: metadata, producer id
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        long payloadBefore = Interlocked.Read(ref CountingLeader.PayloadBytes);
        var stopwatch = Stopwatch.StartNew();
        for (int i = 1; i < Records; i++)
        {
            ValueTask buffered = producer.ProduceAsync("perf", message, handler, TestContext.Current.CancellationToken);
            if (!buffered.IsCompletedSuccessfully)
            {
                await buffered;
            }
        }

        TimeSpan appendTime = stopwatch.Elapsed;
        await done.Task.Within("delivering every record");
        stopwatch.Stop();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        // The sealed batch arrays are the one intended allocation (one byte per byte sent); the rest is overhead.
        long overhead = allocated - (Interlocked.Read(ref CountingLeader.PayloadBytes) - payloadBefore);

        TestContext.Current.SendDiagnosticMessage(
            $"{Records:N0} records: appended in {appendTime.TotalMilliseconds:N0} ms ({Records / appendTime.TotalSeconds:N0}/s), delivered in {stopwatch.Elapsed.TotalMilliseconds:N0} ms ({Records / stopwatch.Elapsed.TotalSeconds:N0}/s), allocated {allocated / (double)Records:N1} bytes/record, {overhead / (double)Records:N2} beyond the batch bytes");
        Console.WriteLine($"{Records:N0} records: appended {Records / appendTime.TotalSeconds:N0}/s, delivered {Records / stopwatch.Elapsed.TotalSeconds:N0}/s, {allocated / (double)Records:N1} B allocated/record, {overhead / (double)Records:N2} B/record beyond the batch bytes");
    }

    /// <summary>Routes partition grains to <see cref="CountingLeader"/>s and everything else to the fakes.</summary>
    private sealed class CountingGrainFactory(FakeGrainFactory inner) : IGrainFactory
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CountingLeader> _leaders = new();

        public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null)
            where TGrainInterface : IGrainWithStringKey =>
            typeof(TGrainInterface) == typeof(IPartitionGrain)
                ? (TGrainInterface)(object)_leaders.GetOrAdd(primaryKey, static _ => new CountingLeader())
                : inner.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix);

        public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidKey => throw new NotSupportedException();
        public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerKey => throw new NotSupportedException();
        public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidCompoundKey => throw new NotSupportedException();
        public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerCompoundKey => throw new NotSupportedException();
        public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver => throw new NotSupportedException();
        public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver => throw new NotSupportedException();
        public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey) => throw new NotSupportedException();
        public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey) => throw new NotSupportedException();
        public IGrain GetGrain(Type grainInterfaceType, string grainPrimaryKey) => throw new NotSupportedException();
        public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey, string keyExtension) => throw new NotSupportedException();
        public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey, string keyExtension) => throw new NotSupportedException();
        public TGrainInterface GetGrain<TGrainInterface>(Orleans.Runtime.GrainId grainId) where TGrainInterface : IAddressable => throw new NotSupportedException();
        public IAddressable GetGrain(Orleans.Runtime.GrainId grainId) => throw new NotSupportedException();
        public IAddressable GetGrain(Orleans.Runtime.GrainId grainId, Orleans.Runtime.GrainInterfaceType interfaceType) => throw new NotSupportedException();
        public IAddressable GetGrain(Type interfaceType, Orleans.Runtime.IdSpan grainKey, string grainClassNamePrefix) => throw new NotSupportedException();
        public IAddressable GetGrain(Type interfaceType, Orleans.Runtime.IdSpan grainKey) => throw new NotSupportedException();
    }

    /// <summary>A leader that only counts: assigns offsets from the header and answers at once.</summary>
    private sealed class CountingLeader : IPartitionGrain
    {
        private long _next;

        public static long PayloadBytes;

        public Task<AppendResult> AppendAsync(RecordBatchPayload batch, Acks acks, CancellationToken cancellationToken = default)
        {
            int count = RecordBatchHeader.Read(batch.Bytes).RecordsCount;
            Interlocked.Add(ref PayloadBytes, batch.Bytes.Length);
            long baseOffset = Interlocked.Add(ref _next, count) - count;
            return Task.FromResult(AppendResult.Success(baseOffset, baseOffset + count - 1, -1, 0));
        }

        public Task<FetchResult> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<ListOffsetsResult> ListOffsetsAsync(long timestamp, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<PartitionDescription> DescribeAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<AdminResult> DeleteRecordsBeforeAsync(long offset, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task ApplyConfigAsync(TopicConfig config, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task DeletePartitionAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
