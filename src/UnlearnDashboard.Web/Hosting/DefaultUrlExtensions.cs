namespace UnlearnDashboard.Web.Hosting;

/// <summary>Sets the listening URL only when the configuration sets none.</summary>
public static class DefaultUrlExtensions
{
    /// <summary>
    /// Listens on <paramref name="url"/> unless the configuration sets urls, http_ports, https_ports or
    /// Kestrel endpoints. A default in appsettings.json would instead override ASPNETCORE_URLS, because
    /// the builder reads ASPNETCORE_-prefixed variables before appsettings.json.
    /// </summary>
    public static WebApplicationBuilder UseDefaultUrl(this WebApplicationBuilder builder, string url)
    {
        var configuration = builder.Configuration;
        var isConfigured = !string.IsNullOrEmpty(configuration["urls"])
            || !string.IsNullOrEmpty(configuration["http_ports"])
            || !string.IsNullOrEmpty(configuration["https_ports"])
            || configuration.GetSection("Kestrel:Endpoints").Exists();
        if (!isConfigured)
        {
            builder.WebHost.UseUrls(url);
        }

        return builder;
    }
}
