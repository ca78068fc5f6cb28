using System.Data.Common;
using System.Reflection;
using Npgsql;

namespace OrleansLog.Silo.Cluster;

/// <summary>
/// Creates the PostgreSQL schema the Orleans ADO.NET providers need — tables, functions and the
/// <c>OrleansQuery</c> rows they read their statements from — when the database does not have it yet.
/// The Orleans packages ship no SQL, so the scripts are ours (embedded <c>Schema/*.sql</c>, applied in
/// name order: main, clustering, persistence).
/// <para>
/// Safe for several silos starting at once against an empty database: the scripts run in one
/// transaction holding a transaction-scoped advisory lock, and the version is checked again under the
/// lock, so exactly one silo installs and the others find it done. Every statement is idempotent as
/// well. A database that is already at <see cref="Version"/> is left untouched (one cheap query), so a
/// silo whose database user may not run DDL starts fine against a prepared database.
/// </para>
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The version of the embedded scripts; raise it whenever a script changes.</summary>
    public const int Version = 1;

    /// <summary>Arbitrary, fixed key of the advisory lock that serialises installers ("olog" in ASCII).</summary>
    private const long InstallLockKey = 0x6F6C6F67;

    /// <summary>
    /// Connects and installs the schema if needed. Returns true when this call installed it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database cannot be reached or the scripts failed; the message names host, port and database.</exception>
    public static async Task<bool> EnsureAsync(string connectionString, CancellationToken cancellationToken)
    {
        string where = Describe(connectionString);
        await using var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException($"cannot reach PostgreSQL at {where}: {ex.Message}", ex);
        }

        try
        {
            if (await InstalledVersionAsync(connection, null, cancellationToken) >= Version)
            {
                return false;
            }

            await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({InstallLockKey})", cancellationToken);
            if (await InstalledVersionAsync(connection, transaction, cancellationToken) >= Version)
            {
                return false;
            }

            foreach ((string name, string sql) in Scripts())
            {
                try
                {
                    await ExecuteAsync(connection, transaction, sql, cancellationToken);
                }
                catch (PostgresException ex)
                {
                    throw new InvalidOperationException($"PostgreSQL schema script {name} failed at {where}: {ex.MessageText} ({ex.SqlState})", ex);
                }
            }

            await ExecuteAsync(
                connection,
                transaction,
                $"INSERT INTO orleanslog_schema (id, version) VALUES (1, {Version}) ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, applied_at = now()",
                cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        }
        catch (DbException ex)
        {
            throw new InvalidOperationException($"cannot install the OrleansLog schema in PostgreSQL at {where}: {ex.Message}", ex);
        }
    }

    /// <summary><c>host:port, database 'name'</c> of a connection string, for messages; never the password.</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"host {builder.Host}:{builder.Port}, database '{builder.Database ?? builder.Username}'";
    }

    /// <summary>The embedded scripts in the order they are applied.</summary>
    public static IReadOnlyList<(string Name, string Sql)> Scripts()
    {
        Assembly assembly = typeof(PostgresSchema).Assembly;
        var scripts = new List<(string, string)>();
        foreach (string resource in assembly.GetManifestResourceNames().Order(StringComparer.Ordinal))
        {
            if (!resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            using Stream stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            scripts.Add((resource, reader.ReadToEnd()));
        }

        return scripts;
    }

    private static async Task<int> InstalledVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        // A scan of pg_tables, not to_regclass: to_regclass resolves through the backend's catalog cache
        // without taking a lock, so after waiting for another installer it could still answer from a
        // negative entry cached before that installer committed (PostgresSchemaTests saw three
        // concurrent installers all install). A catalog scan reads the committed state.
        await using (var exists = new NpgsqlCommand(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = 'orleanslog_schema')",
            connection,
            transaction))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
            {
                return 0;
            }
        }

        await using var version = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM orleanslog_schema", connection, transaction);
        return Convert.ToInt32(await version.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
