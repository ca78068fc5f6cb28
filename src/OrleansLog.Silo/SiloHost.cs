using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using OrleansLog.Grains.Hosting;
using OrleansLog.Kafka;
using OrleansLog.Silo.Cluster;
using OrleansLog.Silo.Streams;

namespace OrleansLog.Silo;

/// <summary>
/// The OrleansLog broker: a thin host over siloBuilder.AddOrleansLog(). All logic lives in the Grains package.
/// Embedded (the default): one node, localhost clustering, grain state in files under the data directory.
/// Cluster mode (Cluster:PostgreSql set): N silos meet in PostgreSQL and keep grain state there. Stream
/// providers configured under <c>Streams</c> are hosted too. Public so that a host that adds its own grains
/// (a test host with stream subscribers) runs the same broker.
/// </summary>
public static class SiloHost
{
    /// <summary>Runs the broker until it is stopped; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            if (CommandLineSwitches.FindUnknown(args) is { } unknown)
            {
                throw new SettingException(
                    $"unknown switch {unknown}; the switches are {string.Join(", ", CommandLineSwitches.Map.Keys)}, or any setting as --Section:Key");
            }

            WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = Directory.GetCurrentDirectory() });
            builder.Configuration.Sources.Clear();
            string configDirectory = ConfigDirectory();
            builder.Configuration
                .AddJsonFile(Path.Combine(configDirectory, "appsettings.json"), optional: true)
                .AddJsonFile(Path.Combine(configDirectory, "cluster.json"), optional: true)
                .AddEnvironmentVariables("OLOG_")
                .AddCommandLine(args, CommandLineSwitches.Map);

            SiloSettings settings = SiloSettings.Bind(builder.Configuration);
            PortCheck.ThrowIfTaken(settings);
            if (DataDirectoryCheck.ThrowIfUnusable(builder.Configuration["OrleansLog:DataDirectory"] ?? new OrleansLogOptions().DataDirectory) is { } warning)
            {
                await Console.Error.WriteLineAsync($"olog-silo: warning: {warning}");
            }

            ClusterSettings cluster = ClusterSettings.Bind(builder.Configuration);
            IPAddress? advertised = null;
            if (cluster.IsEnabled)
            {
                // Before Orleans starts: its ADO.NET providers expect the schema, and an unreachable database
                // should fail here with one line naming it rather than deep inside silo start-up.
                advertised = await cluster.ResolveAdvertisedAddressAsync(CancellationToken.None);
                await PostgresSchema.EnsureAsync(cluster.PostgreSql, CancellationToken.None);
            }

            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Any, settings.HttpPort));
            builder.Services.AddSingleton<SiloReadiness>();
            builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloReadiness>());
            builder.UseOrleans(silo =>
            {
                if (advertised is not null)
                {
                    silo.UsePostgresCluster(settings, cluster, advertised);
                }
                else
                {
                    silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ServiceId, clusterId: settings.ClusterId);
                }

                silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromMinutes(30));
                silo.AddOrleansLog(o =>
                {
                    // Every OrleansLog setting (appsettings.json, OLOG_OrleansLog__*, --OrleansLog:*) reaches the
                    // options, replication's included; the validator reports a bad value naming it.
                    builder.Configuration.GetSection("OrleansLog").Bind(o);
                    o.UseFileGrainStorage = !cluster.IsEnabled;
                });
                StreamProviderSettings.AddStreamProviders(silo, builder.Configuration, cluster);
                silo.AddKafkaListener(o => builder.Configuration.GetSection("Kafka").Bind(o));
            });

            WebApplication app = builder.Build();
            app.MapGet("/health", (SiloReadiness readiness, IStorageHealth storage) =>
                readiness.IsReady ? Results.Text(HealthText(storage)) : Results.Text("starting\n", statusCode: StatusCodes.Status503ServiceUnavailable));
            await app.RunAsync();
            return 0;
        }
        catch (SettingException ex)
        {
            await Console.Error.WriteLineAsync($"olog-silo: invalid setting: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException)
        {
            // A malformed silo-config/*.json, or a value of the wrong type for its setting.
            await Console.Error.WriteLineAsync($"olog-silo: invalid configuration: {OneLine(ex)}");
            return 2;
        }
        catch (Exception ex) when (ex is OrleansConfigurationException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"olog-silo: failed to start: {ex.Message}");
            return 1;
        }
    }

    /// <summary>"ok", and each failed partition log on its own line (still 200: the node serves everything else).</summary>
    private static string HealthText(IStorageHealth storage)
    {
        var text = new System.Text.StringBuilder("ok\n");
        foreach ((TopicPartition partition, string reason) in storage.FailedLogs.OrderBy(f => f.Key.ToString(), StringComparer.Ordinal))
        {
            text.Append("failed log ").Append(partition).Append(": ").Append(reason).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The message and its causes on one line (a JSON parse error's position is in the inner one).</summary>
    private static string OneLine(Exception ex)
    {
        var parts = new List<string>();
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            parts.Add(e.Message.ReplaceLineEndings(" ").TrimEnd('.', ' '));
        }

        return string.Join(": ", parts);
    }

    private static string ConfigDirectory()
    {
        string local = Path.Combine(Directory.GetCurrentDirectory(), "silo-config");
        return Directory.Exists(local) ? local : Path.Combine(AppContext.BaseDirectory, "silo-config");
    }
}
