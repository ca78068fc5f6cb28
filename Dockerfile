# OrleansLog silo image: a multi-stage .NET 10 build. The runtime image holds the silo (its entry point)
# and the olog CLI (/app/olog/olog.dll), so `docker compose run --rm olog ...` needs nothing on the host.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files alone, so a source-only change reuses the restore layer.
COPY Directory.Build.props Directory.Packages.props global.json ./
COPY src/OrleansLog.Records/OrleansLog.Records.csproj src/OrleansLog.Records/
COPY src/OrleansLog.Abstractions/OrleansLog.Abstractions.csproj src/OrleansLog.Abstractions/
COPY src/OrleansLog.Storage/OrleansLog.Storage.csproj src/OrleansLog.Storage/
COPY src/OrleansLog.Grains/OrleansLog.Grains.csproj src/OrleansLog.Grains/
COPY src/OrleansLog.Client/OrleansLog.Client.csproj src/OrleansLog.Client/
COPY src/OrleansLog.Streaming/OrleansLog.Streaming.csproj src/OrleansLog.Streaming/
COPY src/OrleansLog.Kafka.Protocol/OrleansLog.Kafka.Protocol.csproj src/OrleansLog.Kafka.Protocol/
COPY src/OrleansLog.Kafka/OrleansLog.Kafka.csproj src/OrleansLog.Kafka/
COPY src/OrleansLog.Silo/OrleansLog.Silo.csproj src/OrleansLog.Silo/
COPY src/OrleansLog.Cli/OrleansLog.Cli.csproj src/OrleansLog.Cli/
RUN dotnet restore src/OrleansLog.Silo/OrleansLog.Silo.csproj \
 && dotnet restore src/OrleansLog.Cli/OrleansLog.Cli.csproj
COPY src/ src/
COPY silo-config/ silo-config/
RUN dotnet publish src/OrleansLog.Silo/OrleansLog.Silo.csproj -c Release --no-restore -o /out/silo \
 && dotnet publish src/OrleansLog.Cli/OrleansLog.Cli.csproj -c Release --no-restore -o /out/olog

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# curl for the container health check on /health.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /out/silo ./
COPY --from=build /out/olog ./olog/
COPY silo-config/ ./silo-config/
# Partition logs (and the node id and its lock) live here: mount one volume per silo.
ENV OLOG_OrleansLog__DataDirectory=/data
VOLUME /data
# Silo-to-silo, Orleans gateway (clients), HTTP (/health): the defaults of silo-config/appsettings.json.
EXPOSE 11111 30000 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=6 CMD curl -fsS http://localhost:8080/health || exit 1
ENTRYPOINT ["dotnet", "OrleansLog.Silo.dll"]
