using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Tls;
using UnlearnDashboard.Web.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.UseDefaultUrl(DashboardDefaults.Url);

// An unusable TLS certificate or an invalid option ends the process with one line that names the setting.
WebApplication app;
try
{
    builder.UseConfiguredTls();
    builder.Services.AddDashboard(builder.Configuration);
    app = builder.Build();
    app.MapDashboard();

    // Validated here, because a failure inside StartAsync is also logged with its stack trace.
    app.Services.GetRequiredService<IStartupValidator>().Validate();
    await app.StartAsync();
}
catch (Exception error) when (error is TlsConfigurationException or OptionsValidationException)
{
    Console.Error.WriteLine($"UnlearnDashboard.Web did not start: {error.Message}");
    return 1;
}
catch (IOException error) when (error.InnerException is AddressInUseException)
{
    // Kestrel could not bind the address. The host has logged the exception already.
    Console.Error.WriteLine($"UnlearnDashboard.Web did not start: {error.Message} "
        + "Stop the program that listens there, or choose another address with --urls.");
    return 1;
}

await app.WaitForShutdownAsync();
await app.DisposeAsync();
return 0;
