using UnlearnDashboard.Compute.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddComputeServer();

var app = builder.Build();
app.MapComputeServer();

app.Run();
