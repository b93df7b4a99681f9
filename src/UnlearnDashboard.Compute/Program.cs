using UnlearnDashboard.Compute.Hosting;

// The content root is the build output, so appsettings.json (HTTP/2 only, defaults) applies from any working
// directory. A relative DataDirectory still resolves against the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddComputeServer();

var app = builder.Build();
app.MapComputeServer();

app.Run();
