using Grpc.Core;
using Grpc.Net.Client;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Client;

/// <summary>A gRPC channel to the compute server with its service clients.</summary>
internal sealed class ComputeConnection : IDisposable
{
    /// <summary>Largest response accepted: 64 MiB, because a debias result lists every removed row id.</summary>
    public const int MaxReceiveMessageBytes = 64 * 1024 * 1024;

    private readonly GrpcChannel _channel;

    private ComputeConnection(GrpcChannel channel)
    {
        _channel = channel;
        Datasets = new DatasetService.DatasetServiceClient(channel);
        Models = new ModelService.ModelServiceClient(channel);
        Jobs = new JobService.JobServiceClient(channel);
        Audit = new AuditService.AuditServiceClient(channel);
        Comparisons = new ComparisonService.ComparisonServiceClient(channel);
        Reports = new ReportService.ReportServiceClient(channel);
        Interop = new InteropService.InteropServiceClient(channel);
        Diagnostics = new DiagnosticsService.DiagnosticsServiceClient(channel);
        Versions = new VersionService.VersionServiceClient(channel);
        Erasures = new ErasureService.ErasureServiceClient(channel);
        Access = new AccessService.AccessServiceClient(channel);
    }

    public DatasetService.DatasetServiceClient Datasets { get; }

    public ModelService.ModelServiceClient Models { get; }

    public JobService.JobServiceClient Jobs { get; }

    public AuditService.AuditServiceClient Audit { get; }

    public ComparisonService.ComparisonServiceClient Comparisons { get; }

    public ReportService.ReportServiceClient Reports { get; }

    public InteropService.InteropServiceClient Interop { get; }

    public DiagnosticsService.DiagnosticsServiceClient Diagnostics { get; }

    public VersionService.VersionServiceClient Versions { get; }

    public ErasureService.ErasureServiceClient Erasures { get; }


    public AccessService.AccessServiceClient Access { get; }

    /// <summary>
    /// Opens a channel to an http:// (HTTP/2 without TLS) or https:// server URL that sends <paramref name="apiKey"/>,
    /// when set, as "authorization: Bearer KEY" on every call.
    /// </summary>
    /// <exception cref="UsageException">The URL is not an absolute http or https URL.</exception>
    public static ComputeConnection Open(string serverUrl, string? apiKey)
    {
        if (!Uri.TryCreate(serverUrl, UriKind.Absolute, out var address)
            || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"invalid --server URL '{serverUrl}': expected http://HOST:PORT or https://HOST:PORT.");
        }

        var options = new GrpcChannelOptions
        {
            MaxReceiveMessageSize = MaxReceiveMessageBytes,

            // A server allows 100 concurrent streams per HTTP/2 connection by default, and unlearn load opens more.
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
        };
        if (apiKey is not null)
        {
            var bearer = CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("authorization", $"Bearer {apiKey}");
                return Task.CompletedTask;
            });

            // NOTE: over http:// the key travels unencrypted; that is acceptable on loopback, and a remote server
            // should be reached through https://.
            options.Credentials = ChannelCredentials.Create(
                address.Scheme == Uri.UriSchemeHttps ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure, bearer);
            options.UnsafeUseInsecureChannelCallCredentials = address.Scheme == Uri.UriSchemeHttp;
        }

        var channel = GrpcChannel.ForAddress(address, options);
        return new ComputeConnection(channel);
    }

    public void Dispose() => _channel.Dispose();
}
