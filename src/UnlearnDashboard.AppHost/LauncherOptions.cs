namespace UnlearnDashboard.AppHost;

/// <summary>Settings of one launcher run.</summary>
/// <param name="ComputeUrl">URL the compute server listens on (gRPC over HTTP/2 without TLS).</param>
/// <param name="WebUrl">URL the dashboard listens on.</param>
/// <param name="DataDirectory">Absolute path of the compute server's data folder.</param>
/// <param name="Environment">ASP.NET Core environment of both servers, for example Development.</param>
/// <param name="StartTimeout">How long each server may take to start listening.</param>
internal sealed record LauncherOptions(
    Uri ComputeUrl,
    Uri WebUrl,
    string DataDirectory,
    string Environment,
    TimeSpan StartTimeout);
