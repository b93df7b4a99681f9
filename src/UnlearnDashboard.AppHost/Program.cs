using System.CommandLine;
using UnlearnDashboard.AppHost;

using var shutdown = ShutdownSignal.Register();

// The launcher handles Ctrl+C and SIGTERM itself, because stopping both servers can take longer
// than System.CommandLine's default grace period.
var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null };
return await LauncherCommand.Create().Parse(args).InvokeAsync(configuration, shutdown.Token);
