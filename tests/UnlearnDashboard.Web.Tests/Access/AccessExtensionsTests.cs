using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Access;
using UnlearnDashboard.Web.Jobs.Authentication;

namespace UnlearnDashboard.Web.Tests.Access;

public sealed class AccessExtensionsTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "unlearn-web-access-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void DataProtectionKeys_SurviveRestart()
    {
        string token;
        using (var first = BuildServices())
            token = new CircuitTokenService(first.GetRequiredService<IDataProtectionProvider>(), TimeProvider.System).Issue(TestUsers.SignedIn("ann", Role.Viewer, "t-1"));

        using var second = BuildServices();
        var user = new CircuitTokenService(second.GetRequiredService<IDataProtectionProvider>(), TimeProvider.System).Validate(token);

        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_dataDirectory, "keys"), "key-*.xml"));
        Assert.Equal(new CircuitUser("ann", DashboardRoles.Viewer, "t-1"), user);
    }

    [Fact]
    public void DataProtectionKeys_OtherFolderRejects()
    {
        string token;
        using (var first = BuildServices())
            token = new CircuitTokenService(first.GetRequiredService<IDataProtectionProvider>(), TimeProvider.System).Issue(TestUsers.SignedIn("ann", Role.Viewer));

        using var other = BuildServices(Path.Combine(_dataDirectory, "other"));
        var user = new CircuitTokenService(other.GetRequiredService<IDataProtectionProvider>(), TimeProvider.System).Validate(token);

        Assert.Null(user);
    }

    private ServiceProvider BuildServices(string? dataDirectory = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Access:DataDirectory"] = dataDirectory ?? _dataDirectory })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDashboardAccess(configuration);
        return services.BuildServiceProvider();
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
            Directory.Delete(_dataDirectory, recursive: true);
    }
}
