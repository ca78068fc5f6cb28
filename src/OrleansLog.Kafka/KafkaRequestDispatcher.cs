using OrleansLog.Kafka.Handlers;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Protocol.Messages;

namespace OrleansLog.Kafka;

/// <summary>
/// Turns one request frame into its response frame's payload: reads the header, refuses what is not served
/// (an ApiVersions version we do not speak gets Kafka's v0 answer with UNSUPPORTED_VERSION and our list;
/// anything else unknown closes the connection, as Kafka does), decodes the body, and encodes the
/// handler's answer at the request's version.
/// </summary>
internal sealed class KafkaRequestDispatcher
{
    private readonly Dictionary<ApiKey, IKafkaApiHandler> _handlers;

    public KafkaRequestDispatcher(IEnumerable<IKafkaApiHandler> handlers)
    {
        _handlers = handlers.ToDictionary(h => h.ApiKey);
        _handlers[ApiKey.ApiVersions] = new ApiVersionsHandler(() => _handlers.Keys);
    }

    /// <summary>The response payload (header and body, without the size), or null when none is due.</summary>
    public async Task<byte[]?> HandleAsync(byte[] frame, CancellationToken cancellationToken)
    {
        var reader = new KafkaReader(frame);
        RequestHeader header = RequestHeader.Read(reader, KafkaApis.UsesFlexibleHeader);
        var writer = new KafkaWriter();
        if (header.ApiKey == ApiKey.ApiVersions && !KafkaApis.IsSupported(ApiKey.ApiVersions, header.ApiVersion))
        {
            ResponseHeader.Write(writer, header.CorrelationId, flexible: false);
            KafkaCodec.Write(writer, new ApiVersionsResponse { ErrorCode = (short)ErrorCode.UnsupportedVersion, ApiKeys = KafkaApis.Advertised(_handlers.Keys) }, 0);
            return writer.ToArray();
        }

        if (!_handlers.TryGetValue(header.ApiKey, out IKafkaApiHandler? handler) || !KafkaApis.IsSupported(header.ApiKey, header.ApiVersion))
        {
            throw new KafkaProtocolException($"{header.ApiKey} (key {(short)header.ApiKey}) version {header.ApiVersion} is not served here; client '{header.ClientId}' should have asked ApiVersions first.");
        }

        object request = KafkaCodec.Read(KafkaApis.RequestType(header.ApiKey), reader, header.ApiVersion);
        object? response = await handler.HandleAsync(header, request, cancellationToken);
        if (response is null)
        {
            return null;
        }

        // ApiVersions answers always carry header version 0, so a client can read them before it knows our versions.
        ResponseHeader.Write(writer, header.CorrelationId, header.ApiKey != ApiKey.ApiVersions && KafkaApis.UsesFlexibleHeader(header.ApiKey, header.ApiVersion));
        KafkaCodec.Write(KafkaApis.ResponseType(header.ApiKey), writer, response, header.ApiVersion);
        return writer.ToArray();
    }
}
