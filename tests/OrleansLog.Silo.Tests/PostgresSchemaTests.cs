using Npgsql;
using OrleansLog.Integration.Tests.Infrastructure;
using OrleansLog.Silo.Cluster;
using Xunit;

namespace OrleansLog.Silo.Tests;

/// <summary>
/// Protects our PostgreSQL schema for the Orleans ADO.NET providers (the packages ship none): it
/// installs on an empty database exactly once even when silos start together, provides every query
/// key the 10.x providers load, keeps grain state's optimistic concurrency (a stale write loses and
/// changes nothing), and an unreachable database fails with a message naming host and database.
/// </summary>
public sealed class PostgresSchemaTests : IAsyncLifetime
{
    /// <summary>The keys Orleans.Clustering.AdoNet (DbStoredQueries) and Orleans.Persistence.AdoNet 10.4 require.</summary>
    private static readonly string[] RequiredQueryKeys =
    [
        "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey", "ClearStorageKey", "DeleteMembershipTableEntriesKey",
        "GatewaysQueryKey", "InsertMembershipKey", "InsertMembershipVersionKey", "MembershipReadAllKey", "MembershipReadRowKey",
        "ReadFromStorageKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey", "WriteToStorageKey",
    ];

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private TestDatabase? _database;

    private TestDatabase Database => _database!;

    public async ValueTask InitializeAsync() => _database = await TestDatabase.CreateAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task Install_OnAnEmptyDatabase_RunsOnceAcrossConcurrentSilos_AndProvidesEveryQuery()
    {
        bool[] installed = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => PostgresSchema.EnsureAsync(Database.ConnectionString, Ct)));
        bool again = await PostgresSchema.EnsureAsync(Database.ConnectionString, Ct);

        Assert.Equal(1, installed.Count(i => i));
        Assert.False(again, "a database already at the current schema version must be left untouched");
        Assert.Equal(PostgresSchema.Version, await Database.ScalarAsync<int>("SELECT version FROM orleanslog_schema", Ct));
        string keys = await Database.ScalarAsync<string>("SELECT string_agg(querykey, ',' ORDER BY querykey) FROM orleansquery", Ct);
        Assert.Equal(RequiredQueryKeys.Order(StringComparer.Ordinal), keys.Split(',').Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GrainStateWrite_WithAStaleVersion_LosesAndChangesNothing()
    {
        await PostgresSchema.EnsureAsync(Database.ConnectionString, Ct);

        int? first = await WriteAsync(version: null, payload: [1]);
        int? second = await WriteAsync(version: first, payload: [2]);
        int? stale = await WriteAsync(version: first, payload: [3]);
        int? duplicateFirst = await WriteAsync(version: null, payload: [4]);

        Assert.Equal((1, 2), (first, second));
        Assert.Equal(first, stale);
        Assert.Null(duplicateFirst);
        Assert.Equal([2], await Database.ScalarAsync<byte[]>("SELECT payloadbinary FROM orleansstorage", Ct));
        Assert.Equal(1L, await Database.ScalarAsync<long>("SELECT count(*) FROM orleansstorage", Ct));
    }

    [Fact]
    public async Task UnreachableDatabase_FailsNamingHostPortAndDatabase()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => PostgresSchema.EnsureAsync("Host=127.0.0.1;Port=1;Username=orleans;Database=nowhere;Timeout=2", Ct));

        Assert.StartsWith("cannot reach PostgreSQL at host 127.0.0.1:1, database 'nowhere': ", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs the stored WriteToStorageKey text with the parameters the provider binds.</summary>
    private async Task<int?> WriteAsync(int? version, byte[] payload)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync(Ct);
        string sql;
        await using (var query = new NpgsqlCommand("SELECT querytext FROM orleansquery WHERE querykey = 'WriteToStorageKey'", connection))
        {
            sql = (string)(await query.ExecuteScalarAsync(Ct))!;
        }

        await using var write = new NpgsqlCommand(sql, connection);
        write.Parameters.AddWithValue("GrainIdHash", 42);
        write.Parameters.AddWithValue("GrainIdN0", 0L);
        write.Parameters.AddWithValue("GrainIdN1", 0L);
        write.Parameters.AddWithValue("GrainTypeHash", 7);
        write.Parameters.AddWithValue("GrainTypeString", "topic");
        write.Parameters.AddWithValue("GrainIdExtensionString", "orders");
        write.Parameters.AddWithValue("ServiceId", "orleanslog");
        write.Parameters.AddWithValue("GrainStateVersion", version is { } v ? v : DBNull.Value);
        write.Parameters.AddWithValue("PayloadBinary", payload);
        object? result = await write.ExecuteScalarAsync(Ct);
        return result is DBNull or null ? null : (int)result;
    }
}
