using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using UnlearnDashboard.Web.Compute;
using UnlearnDashboard.Web.Jobs;
using UnlearnDashboard.Web.Tests.Fakes;

namespace UnlearnDashboard.Web.Tests;

/// <summary>A bUnit context with MudBlazor and fakes for the compute server and the jobs hub, which need a network.</summary>
public abstract class DashboardTestContext : BunitContext, IAsyncLifetime
{
    protected DashboardTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton<IComputeCatalog>(Catalog);
        Services.AddSingleton<IComputeJobs>(Jobs);
        Services.AddSingleton<IComputeComparisons>(Comparisons);
        Services.AddSingleton<IComputeCounterfactuals>(Counterfactuals);
        Services.AddSingleton<IComputeAudit>(Audit);
        Services.AddSingleton<IJobEventSource>(Events);
        Services.AddSingleton(TimeProvider.System);

        // Popovers (selects, tooltips) render into the provider.
        Render<MudPopoverProvider>();
    }

    protected FakeComputeCatalog Catalog { get; } = new();

    protected FakeComputeJobs Jobs { get; } = new();

    protected FakeComputeComparisons Comparisons { get; } = new();

    protected FakeComputeCounterfactuals Counterfactuals { get; } = new();

    protected FakeComputeAudit Audit { get; } = new();

    protected FakeJobEventSource Events { get; } = new();

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services can only be disposed asynchronously, which xUnit 2 does only through IAsyncLifetime.
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    protected IReadOnlyList<string> SnackbarMessages =>
        Services.GetRequiredService<ISnackbar>().ShownSnackbars.Select(snackbar => snackbar.Message ?? "").ToList();
}
