using UnlearnDashboard.Web.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.UseDefaultUrl(DashboardDefaults.Url);
builder.Services.AddDashboard(builder.Configuration);

var app = builder.Build();
app.MapDashboard();

app.Run();
