using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace UnlearnDashboard.Web.Jobs;

/// <summary>
/// Finds the URL at which circuits reach this process's jobs hub: <see cref="JobStreamOptions.HubUrl"/> when set,
/// otherwise the first address Kestrel listens on, with a wildcard host replaced by the loopback address.
/// </summary>
public sealed class HubUrlResolver(IServer server, IOptions<JobStreamOptions> options)
{
    public Uri Resolve()
    {
        if (!string.IsNullOrEmpty(options.Value.HubUrl))
            return new Uri(options.Value.HubUrl);

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        string address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException($"The server has no listening address; set {JobStreamOptions.Section}:HubUrl.");

        var builder = new UriBuilder(address.Replace("://+", "://localhost").Replace("://*", "://localhost"));
        if (builder.Host is "0.0.0.0" or "[::]" or "::" or "localhost")
            builder.Host = "127.0.0.1";
        builder.Path = JobsHub.Path;
        return builder.Uri;
    }
}
