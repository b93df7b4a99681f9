namespace UnlearnDashboard.Web.Hosting;

/// <summary>Defaults of the dashboard's configuration.</summary>
public static class DashboardDefaults
{
    /// <summary>URL the dashboard listens on when no urls, ports or Kestrel endpoints are configured.</summary>
    public const string Url = "http://127.0.0.1:5000";

    /// <summary>Path of the liveness endpoint that container health checks call.</summary>
    public const string HealthPath = "/healthz";
}
