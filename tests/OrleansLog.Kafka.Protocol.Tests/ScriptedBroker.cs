using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Protocol.Messages;

namespace OrleansLog.Kafka.Protocol.Tests;

/// <summary>
/// A broker of one node on a loopback port that answers ApiVersions, Metadata, Produce, Fetch and
/// FindCoordinator with the protocol library's codecs over one fixed topic, and records every request it
/// was sent: enough for a real client to negotiate versions, read metadata, produce and consume, so the
/// codecs meet librdkafka before any listener serves them from the log.
/// </summary>
internal sealed class ScriptedBroker : IDisposable
{
    private static readonly ApiKey[] Served = [ApiKey.ApiVersions, ApiKey.Metadata, ApiKey.Produce, ApiKey.Fetch, ApiKey.FindCoordinator];
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    /// <param name="topic">The one topic, with <paramref name="partitions"/> partitions led by this node.</param>
    /// <param name="partitions">How many.</param>
    /// <param name="stored">Record batches (offsets from 0) that partition 0 serves to fetches.</param>
    public ScriptedBroker(string topic, int partitions, byte[]? stored = null)
    {
        _stored = stored ?? [];
        _storedRecords = CountRecords(_stored);
        Topic = topic;
        Partitions = partitions;
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    public string Topic { get; }

    public int Partitions { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Every request decoded: its header and body.</summary>
    public ConcurrentQueue<(RequestHeader Header, object Body, byte[] Frame)> Requests { get; } = new();

    /// <summary>Failures while serving (a request the codecs could not decode), for the test to report.</summary>
    public ConcurrentQueue<Exception> Failures { get; } = new();

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _accepting.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Stopped while accepting.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        await using (var stream = new NetworkStream(socket))
        {
            try
            {
                byte[] size = new byte[4];
                while (!_stop.IsCancellationRequested)
                {
                    await stream.ReadExactlyAsync(size, _stop.Token);
                    byte[] frame = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
                    await stream.ReadExactlyAsync(frame, _stop.Token);
                    if (Answer(frame) is { } response)
                    {
                        await stream.WriteAsync(KafkaFrame.Wrap(response), _stop.Token);
                    }
                }
            }
            catch (Exception ex) when (ex is EndOfStreamException or IOException or OperationCanceledException)
            {
                // The client closed the connection, or the broker stopped.
            }
            catch (Exception ex)
            {
                Failures.Enqueue(ex);
            }
        }
    }

    /// <summary>Record batches received, per partition, in order: (partition, records in the batch).</summary>
    public ConcurrentQueue<(int Partition, int Records, byte Magic)> Batches { get; } = new();

    private readonly Dictionary<int, long> _logEnds = [];
    private readonly byte[] _stored;
    private readonly int _storedRecords;

    /// <summary>The answer's bytes, or null when none is due (acks=0).</summary>
    private byte[]? Answer(byte[] frame)
    {
        var reader = new KafkaReader(frame);
        RequestHeader header = RequestHeader.Read(reader, KafkaApis.UsesFlexibleHeader);
        if (Environment.GetEnvironmentVariable("OLOG_KAFKA_GOLDEN_DIR") is { Length: > 0 } golden && KafkaApis.IsSupported(header.ApiKey, header.ApiVersion))
        {
            // Capturing golden frames from a real client (see GoldenFrameTests).
            File.WriteAllBytes(Path.Combine(golden, $"{header.ApiKey}-v{header.ApiVersion}.bin"), frame);
        }

        var writer = new KafkaWriter();
        switch (header.ApiKey)
        {
            case ApiKey.ApiVersions when !KafkaApis.IsSupported(ApiKey.ApiVersions, header.ApiVersion):
                // Kafka's rule: a version the broker does not know gets a v0 answer listing what it does.
                Requests.Enqueue((header, new ApiVersionsRequest(), frame));
                ResponseHeader.Write(writer, header.CorrelationId, flexible: false);
                KafkaCodec.Write(writer, new ApiVersionsResponse { ErrorCode = 35, ApiKeys = KafkaApis.Advertised(Served) }, 0);
                break;

            case ApiKey.ApiVersions:
                Requests.Enqueue((header, KafkaCodec.Read<ApiVersionsRequest>(reader, header.ApiVersion), frame));
                ResponseHeader.Write(writer, header.CorrelationId, flexible: false);
                KafkaCodec.Write(writer, new ApiVersionsResponse { ApiKeys = KafkaApis.Advertised(Served) }, header.ApiVersion);
                break;

            case ApiKey.Metadata:
                Requests.Enqueue((header, KafkaCodec.Read<MetadataRequest>(reader, header.ApiVersion), frame));
                ResponseHeader.Write(writer, header.CorrelationId, KafkaApis.UsesFlexibleHeader(header.ApiKey, header.ApiVersion));
                KafkaCodec.Write(writer, Metadata(), header.ApiVersion);
                break;

            case ApiKey.Produce:
                var produce = KafkaCodec.Read<ProduceRequest>(reader, header.ApiVersion);
                Requests.Enqueue((header, produce, frame));
                ProduceResponse answer = Append(produce);
                if (produce.Acks == 0)
                {
                    return null;
                }

                ResponseHeader.Write(writer, header.CorrelationId, KafkaApis.UsesFlexibleHeader(header.ApiKey, header.ApiVersion));
                KafkaCodec.Write(writer, answer, header.ApiVersion);
                break;

            case ApiKey.FindCoordinator:
                var find = KafkaCodec.Read<FindCoordinatorRequest>(reader, header.ApiVersion);
                Requests.Enqueue((header, find, frame));
                ResponseHeader.Write(writer, header.CorrelationId, KafkaApis.UsesFlexibleHeader(header.ApiKey, header.ApiVersion));
                KafkaCodec.Write(
                    writer,
                    new FindCoordinatorResponse
                    {
                        NodeId = 1,
                        Host = "127.0.0.1",
                        Port = Port,
                        Coordinators = [.. find.CoordinatorKeys.Select(key => new FindCoordinatorResponse.Coordinator { Key = key, NodeId = 1, Host = "127.0.0.1", Port = Port })],
                    },
                    header.ApiVersion);
                break;

            case ApiKey.Fetch:
                var fetch = KafkaCodec.Read<FetchRequest>(reader, header.ApiVersion);
                Requests.Enqueue((header, fetch, frame));
                ResponseHeader.Write(writer, header.CorrelationId, KafkaApis.UsesFlexibleHeader(header.ApiKey, header.ApiVersion));
                KafkaCodec.Write(writer, Serve(fetch), header.ApiVersion);
                break;

            default:
                throw new InvalidOperationException($"The scripted broker does not answer {header.ApiKey} v{header.ApiVersion}.");
        }

        if (reader.Remaining != 0)
        {
            Failures.Enqueue(new InvalidOperationException($"{header.ApiKey} v{header.ApiVersion}: {reader.Remaining} bytes left after decoding."));
        }

        return writer.ToArray();
    }

    /// <summary>Counts each batch's records (v2 batches: the count is the int32 at byte 57) and gives it the next offsets.</summary>
    private ProduceResponse Append(ProduceRequest produce)
    {
        var response = new ProduceResponse();
        foreach (ProduceRequest.TopicData topic in produce.Topics)
        {
            var answers = new ProduceResponse.TopicResponse { Name = topic.Name };
            foreach (ProduceRequest.PartitionData partition in topic.Partitions)
            {
                ReadOnlySpan<byte> records = partition.Records!.Value.Span;
                long baseOffset;
                lock (_logEnds)
                {
                    baseOffset = _logEnds.GetValueOrDefault(partition.Index);
                    int position = 0;
                    while (position + 61 <= records.Length)
                    {
                        int batchLength = BinaryPrimitives.ReadInt32BigEndian(records[(position + 8)..]);
                        int count = BinaryPrimitives.ReadInt32BigEndian(records[(position + 57)..]);
                        Batches.Enqueue((partition.Index, count, records[position + 16]));
                        _logEnds[partition.Index] = _logEnds.GetValueOrDefault(partition.Index) + count;
                        position += 12 + batchLength;
                    }
                }

                answers.Partitions.Add(new ProduceResponse.PartitionResponse { Index = partition.Index, BaseOffset = baseOffset, LogStartOffset = 0 });
            }

            response.Responses.Add(answers);
        }

        return response;
    }

    /// <summary>Partition 0 holds the stored batches (offsets 0 to n-1): a fetch at 0 gets them all, any later offset nothing.</summary>
    private FetchResponse Serve(FetchRequest fetch) => new()
    {
        Responses =
        [
            .. fetch.Topics.Select(topic => new FetchResponse.TopicResponse
            {
                Topic = topic.Topic,
                Partitions =
                [
                    .. topic.Partitions.Select(p => new FetchResponse.PartitionData
                    {
                        PartitionIndex = p.Partition,
                        HighWatermark = p.Partition == 0 ? _storedRecords : 0,
                        LastStableOffset = p.Partition == 0 ? _storedRecords : 0,
                        LogStartOffset = 0,
                        Records = p.Partition == 0 && p.FetchOffset == 0 ? _stored : ReadOnlyMemory<byte>.Empty,
                    }),
                ],
            }),
        ],
    };

    private static int CountRecords(ReadOnlySpan<byte> batches)
    {
        int records = 0;
        for (int position = 0; position + 61 <= batches.Length; position += 12 + BinaryPrimitives.ReadInt32BigEndian(batches[(position + 8)..]))
        {
            records += BinaryPrimitives.ReadInt32BigEndian(batches[(position + 57)..]);
        }

        return records;
    }

    private MetadataResponse Metadata() => new()
    {
        Brokers = [new MetadataResponse.Broker { NodeId = 1, Host = "127.0.0.1", Port = Port }],
        ClusterId = "scripted",
        ControllerId = 1,
        Topics =
        [
            new MetadataResponse.Topic
            {
                Name = Topic,
                TopicId = Guid.Parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
                Partitions =
                [
                    .. Enumerable.Range(0, Partitions).Select(p => new MetadataResponse.Partition
                    {
                        PartitionIndex = p, LeaderId = 1, LeaderEpoch = 3, ReplicaNodes = [1], IsrNodes = [1],
                    }),
                ],
            },
        ],
    };
}
