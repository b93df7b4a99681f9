using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Compute.Jobs.Worker;

// "UnlearnDashboard.Compute worker" runs one job for the server in a worker process (see WorkerJobRunner).
if (args is [WorkerEntryPoint.Command, ..])
    return WorkerEntryPoint.Run();

// The content root is the build output, so appsettings.json (HTTP/2 only, defaults) applies from any working
// directory. A relative DataDirectory still resolves against the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddComputeServer();

var app = builder.Build();
app.MapComputeServer();

app.Run();
return 0;
