using Npgsql;

namespace OrleansLog.Integration.Tests.Infrastructure;

/// <summary>
/// A fresh PostgreSQL database of its own for one test class, created in the throwaway server that
/// <c>./build.sh test</c> starts and names in <c>OLOG_TEST_POSTGRES</c>, and dropped afterwards. Without
/// that variable the test fails, saying how to run it: a cluster test that silently passed without a
/// database would prove nothing.
/// </summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    public const string ServerVariable = "OLOG_TEST_POSTGRES";

    private readonly string _adminConnectionString;

    private TestDatabase(string name, string connectionString, string adminConnectionString)
    {
        Name = name;
        ConnectionString = connectionString;
        _adminConnectionString = adminConnectionString;
    }

    public string Name { get; }

    /// <summary>Npgsql connection string of the new database.</summary>
    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(CancellationToken cancellationToken)
    {
        string? server = Environment.GetEnvironmentVariable(ServerVariable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException(
                $"{ServerVariable} is not set. This test needs the throwaway PostgreSQL 15 that the README's test command " +
                "starts: run the tests with './build.sh test' (or start a PostgreSQL yourself and export " +
                $"{ServerVariable}=\"Host=127.0.0.1;Port=...;Username=...;Database=...\").");
        }

        string name = "olog_" + Guid.NewGuid().ToString("N");
        string admin = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString;
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        string target = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        return new TestDatabase(name, target, admin);
    }

    /// <summary>Runs one scalar query against the test database.</summary>
    public async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var connection = new NpgsqlConnection(_adminConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // The server is torn down with the test run anyway; a leftover database harms nobody.
        }
    }
}
