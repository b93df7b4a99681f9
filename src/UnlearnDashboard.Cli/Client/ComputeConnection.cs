using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Tls;

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
        Counterfactuals = new CounterfactualService.CounterfactualServiceClient(channel);
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

    public CounterfactualService.CounterfactualServiceClient Counterfactuals { get; }

    /// <summary>Returns every dataset's name by its id, for tables that show names where the server returns ids.</summary>
    public async Task<IReadOnlyDictionary<string, string>> DatasetNamesAsync(CancellationToken cancellationToken)
    {
        var datasets = await Datasets.ListDatasetsAsync(new ListDatasetsRequest(), cancellationToken: cancellationToken);
        return datasets.Datasets.ToDictionary(dataset => dataset.Id, dataset => dataset.Spec.Name);
    }

    /// <summary>
    /// Opens a channel to an http:// (HTTP/2 without TLS) or https:// server URL that sends the console's API key,
    /// when set, as "authorization: Bearer KEY" on every call. Over https:// the server's certificate must chain to
    /// a system root or to a certificate in the console's CA certificate file, and a rejected certificate's fault is
    /// recorded in <see cref="CliConsole.TlsRejection"/>.
    /// </summary>
    /// <exception cref="UsageException">The URL is not an absolute http or https URL, or the CA certificate file cannot be used.</exception>
    public static ComputeConnection Open(string serverUrl, CliConsole console)
    {
        if (!Uri.TryCreate(serverUrl, UriKind.Absolute, out var address)
            || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"invalid --server URL '{serverUrl}': expected http://HOST:PORT or https://HOST:PORT.");
        }

        // A server allows 100 concurrent streams per HTTP/2 connection by default, and unlearn load opens more.
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (address.Scheme == Uri.UriSchemeHttps)
            handler.SslOptions.RemoteCertificateValidationCallback = CreateCertificateCheck(address.Host, console);

        var options = new GrpcChannelOptions { MaxReceiveMessageSize = MaxReceiveMessageBytes, HttpHandler = handler };
        if (console.ApiKey is { } apiKey)
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

    /// <summary>
    /// Returns a check that accepts what the system trusts or what chains to the console's CA certificate file, and
    /// records why it rejects a certificate in <see cref="CliConsole.TlsRejection"/>.
    /// </summary>
    private static RemoteCertificateValidationCallback CreateCertificateCheck(string host, CliConsole console)
    {
        string? caPath = console.CaCertificatePath;
        var roots = caPath is null ? [] : LoadCaCertificates(caPath);
        return TrustedCertificates.CreateValidator(roots, (certificate, errors, chainStatus) =>
            console.TlsRejection = TlsRejection.Create(host, certificate, errors, chainStatus, caPath));
    }

    private static X509Certificate2Collection LoadCaCertificates(string path)
    {
        try
        {
            return TrustedCertificates.Load(path, "--ca-certificate");
        }
        catch (TlsConfigurationException error)
        {
            throw new UsageException(error.Message);
        }
    }

    public void Dispose() => _channel.Dispose();
}
