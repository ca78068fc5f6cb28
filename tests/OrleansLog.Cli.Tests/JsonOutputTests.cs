using OrleansLog.Cli.Output;

namespace OrleansLog.Cli.Tests;

/// <summary>
/// Protects the JSON that scripts parse: field names (Kafka's snake_case), field order, nulls written as
/// null, and readable UTF-8 — for topics describe, consume, produce --print-metadata, perf and log dump.
/// </summary>
public sealed class JsonOutputTests
{
    [Fact]
    public void Describe_SerializesExactShape_WithConfigSortedByKey_AndTargetReplicasNullUnlessMoving()
    {
        var topic = new TopicDescription(
            "orders",
            new Dictionary<string, string> { ["retention.ms"] = "1000", ["cleanup.policy"] = "delete" },
            [
                new PartitionDescription(0, "node-1", ["node-1"], ["node-1"], LeaderEpoch: 3, 0, 10, 12, 4096, ErrorCode.None),
                new PartitionDescription(1, "node-2", ["node-2", "node-1"], ["node-2"], LeaderEpoch: 1, 5, 5, 5, 0, ErrorCode.None, TargetReplicas: ["node-3", "node-1"]),
            ]);

        string json = CliJson.Serialize(TopicDescriptionJson.From(topic));

        Assert.Equal(
            """{"name":"orders","config":{"cleanup.policy":"delete","retention.ms":"1000"},"partitions":[""" +
            """{"partition":0,"leader":"node-1","leader_epoch":3,"replicas":["node-1"],"target_replicas":null,"isr":["node-1"],"log_start_offset":0,"high_watermark":10,"log_end_offset":12,"size_bytes":4096,"storage_failure":null},""" +
            """{"partition":1,"leader":"node-2","leader_epoch":1,"replicas":["node-2","node-1"],"target_replicas":["node-3","node-1"],"isr":["node-2"],"log_start_offset":5,"high_watermark":5,"log_end_offset":5,"size_bytes":0,"storage_failure":null}]}""",
            json);
    }

    [Fact]
    public void ConsumedRecord_WritesNullKeyAsNull_AndKeepsUtf8Readable()
    {
        string json = CliJson.Serialize(new ConsumedRecordJson("orders", 2, 41, 1_700_000_000_000, null, "héllo \"quoted\" <b>"));

        Assert.Equal("""{"topic":"orders","partition":2,"offset":41,"timestamp":1700000000000,"key":null,"value":"héllo \"quoted\" <b>"}""", json);
    }

    [Fact]
    public void ConsumedRecord_NullValue_IsNull()
    {
        string json = CliJson.Serialize(new ConsumedRecordJson("t", 0, 0, 0, "k", null));

        Assert.Equal("""{"topic":"t","partition":0,"offset":0,"timestamp":0,"key":"k","value":null}""", json);
    }

    [Fact]
    public void PrintMetadata_IsPartitionAndOffset()
    {
        Assert.Equal("""{"partition":1,"offset":7}""", CliJson.Serialize(new ProducedRecordJson(1, 7)));
    }

    [Fact]
    public void PerfResult_ComputesRatesFromPayloadBytesInDecimalMegabytes()
    {
        PerfResultJson result = PerfResultJson.From(records: 1_000, payloadBytes: 100_000, TimeSpan.FromSeconds(2));

        Assert.Equal("""{"records":1000,"seconds":2,"records_per_s":500,"mb_per_s":0.05}""", CliJson.Serialize(result));
    }

    [Fact]
    public void EndToEndResult_HasLatencyPercentilesInMicroseconds()
    {
        var result = new EndToEndResultJson(5000, 5.001, 999.8, 0.1, 812, 2400, 5100, 9000);

        Assert.Equal(
            """{"records":5000,"seconds":5.001,"records_per_s":999.8,"mb_per_s":0.1,"p50_us":812,"p99_us":2400,"p999_us":5100,"max_us":9000}""",
            CliJson.Serialize(result));
    }

    [Fact]
    public void LogBatch_WithoutRecordsOption_OmitsRecords_AndUnframedBytesHaveNullFields()
    {
        var batch = new LogBatchJson("/d/00000000000000000000.log", 0, 0, 2, 100, 3, 1_700_000_000_002, "none", "ok", null, null);
        var tail = new LogBatchJson("/d/00000000000000000000.log", 100, null, null, null, null, null, null, "CORRUPT", "5 trailing bytes", null);

        Assert.Equal(
            """{"file":"/d/00000000000000000000.log","position":0,"base_offset":0,"last_offset":2,"size_bytes":100,"record_count":3,"max_timestamp":1700000000002,"compression":"none","crc":"ok","problem":null}""",
            CliJson.Serialize(batch));
        Assert.Equal(
            """{"file":"/d/00000000000000000000.log","position":100,"base_offset":null,"last_offset":null,"size_bytes":null,"record_count":null,"max_timestamp":null,"compression":null,"crc":"CORRUPT","problem":"5 trailing bytes"}""",
            CliJson.Serialize(tail));
    }

    [Fact]
    public void DescribeText_NamesAPartitionWhoseLogFailedOnItsLeader_AfterTheTable()
    {
        var topic = new TopicDescription(
            "orders",
            new Dictionary<string, string>(),
            [
                new PartitionDescription(0, "node-1", ["node-1"], ["node-1"], 2, 0, 10, 10, 4096, ErrorCode.None, StorageFailure: "No space left on device (failed at 2026-12-07T23:50:00Z; reopened, serving reads; no write has succeeded since)"),
                new PartitionDescription(1, "node-1", ["node-1"], ["node-1"], 0, 0, 0, 0, 0, ErrorCode.None),
            ]);
        var text = new StringWriter { NewLine = "\n" };

        TopicDescriptionText.Write(topic, text);

        Assert.EndsWith(
            "\nPartition 0: the log on node 'node-1' failed: No space left on device (failed at 2026-12-07T23:50:00Z; reopened, serving reads; no write has succeeded since)\n",
            text.ToString(),
            StringComparison.Ordinal);
        Assert.DoesNotContain("Partition 1:", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeText_ShowsConfigAndOnePartitionRowEach_AndAnErrorColumnOnlyWhenNeeded()
    {
        var topic = new TopicDescription(
            "orders",
            new Dictionary<string, string> { ["retention.ms"] = "1000", ["cleanup.policy"] = "delete" },
            [
                new PartitionDescription(0, "node-1", ["node-1"], ["node-1"], 0, 0, 10, 12, 4096, ErrorCode.None),
                new PartitionDescription(1, "node-1", ["node-1"], ["node-1"], 0, 0, 0, 0, 0, ErrorCode.KafkaStorageError),
            ]);
        var text = new StringWriter { NewLine = "\n" };

        TopicDescriptionText.Write(topic, text);

        Assert.Equal(
            """
            Topic: orders  Partitions: 2
            Config:
              cleanup.policy=delete
              retention.ms=1000
            PARTITION  LEADER  EPOCH  REPLICAS  ISR     LOG-START  HIGH-WATERMARK  LOG-END  SIZE-BYTES  ERROR
            0          node-1  0      node-1    node-1  0          10              12       4096        -
            1          node-1  0      node-1    node-1  0          0               0        0           KafkaStorageError

            """.ReplaceLineEndings("\n"),
            text.ToString());
    }
}
