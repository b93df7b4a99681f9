using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Compute.Jobs.Worker;

// "UnlearnDashboard.Compute worker" runs one job for the server in a worker process (see WorkerJobRunner).
if (args is [WorkerEntryPoint.Command, ..])
    return WorkerEntryPoint.Run();

// "UnlearnDashboard.Compute healthcheck [URL]" checks a running server, for container health checks.
if (args is [HealthCheckCommand.Name, .. var healthCheckArguments])
    return await HealthCheckCommand.RunAsync(healthCheckArguments);

// The content root is the build output, so appsettings.json (HTTP/2 only, defaults) applies from any working
// directory. A relative DataDirectory still resolves against the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// The TLS certificate is loaded while the services are added, the options are validated and the database opened
// before the host starts. An invalid setting, an unusable certificate, a bad connection string or a damaged
// database file then ends the process with one line that names it, not a stack trace.
WebApplication app;
try
{
    builder.AddComputeServer();
    app = builder.Build();
    app.MapComputeServer();
    app.Services.GetRequiredService<IStartupValidator>().Validate();
    await app.Services.GetRequiredService<DatabaseInitializer>().StartAsync(CancellationToken.None);
}
catch (Exception error) when (error is StartupException or OptionsValidationException || IsUnconvertibleSetting(error))
{
    Console.Error.WriteLine($"UnlearnDashboard.Compute did not start: {error.Message}");
    return 1;
}

// Kestrel binds its addresses after the hosted services have started. A taken port ends the process with one
// line (the host has logged the exception already) and status 1, not an unhandled exception.
try
{
    await app.StartAsync();
}
catch (IOException error) when (error.InnerException is AddressInUseException)
{
    Console.Error.WriteLine($"UnlearnDashboard.Compute did not start: {error.Message} "
        + "Stop the program that listens there, or choose another address with --urls.");
    await app.StopAsync();
    return 1;
}

await app.WaitForShutdownAsync();
await app.DisposeAsync();
return 0;

// The configuration binder throws this when a setting's text does not convert to the option's type, such as
// "--Analysis:MaxConcurrent abc". Its message names the setting, the value and the type.
static bool IsUnconvertibleSetting(Exception error) =>
    error is InvalidOperationException && error.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal);
