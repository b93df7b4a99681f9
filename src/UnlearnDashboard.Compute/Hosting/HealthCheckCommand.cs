using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using UnlearnDashboard.Tls;

namespace UnlearnDashboard.Compute.Hosting;

/// <summary>
/// <c>UnlearnDashboard.Compute healthcheck [URL [CA_CERTIFICATE]]</c>: calls a running compute server's standard
/// gRPC health service (Check), so a container health check needs no downloaded probe. Exits with 0 when the
/// server reports SERVING and 1 otherwise. URL defaults to <c>http://127.0.0.1:8080</c>, the container's port. For
/// an https:// URL, CA_CERTIFICATE is a PEM or DER file of the CA (or self-signed server certificate) to trust
/// besides the system's.
/// </summary>
internal static class HealthCheckCommand
{
    public const string Name = "healthcheck";

    private const string DefaultUrl = "http://127.0.0.1:8080";

    // Shorter than the container health check's own timeout, so this process reports the failure itself.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(string[] arguments)
    {
        string url = arguments.Length > 0 ? arguments[0] : DefaultUrl;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            await Console.Error.WriteLineAsync($"Invalid URL '{url}': pass the compute server's http:// or https:// address.");
            return 1;
        }

        var handler = new SocketsHttpHandler();
        if (arguments.Length > 1)
        {
            try
            {
                handler.SslOptions.RemoteCertificateValidationCallback = TrustedCertificates.CreateValidator(TrustedCertificates.Load(arguments[1], "CA_CERTIFICATE"));
            }
            catch (TlsConfigurationException error)
            {
                await Console.Error.WriteLineAsync(error.Message);
                return 1;
            }
        }

        try
        {
            using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler });
            var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow + Timeout);
            Console.WriteLine($"{address}: {reply.Status}");
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving ? 0 : 1;
        }
        catch (RpcException error)
        {
            await Console.Error.WriteLineAsync($"Health check of {address} failed: {error.StatusCode} {error.Status.Detail}");
            return 1;
        }
    }
}
