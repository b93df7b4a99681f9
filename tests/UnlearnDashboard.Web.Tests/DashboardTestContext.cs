using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Access;
using UnlearnDashboard.Web.Compute;
using UnlearnDashboard.Web.Jobs;
using UnlearnDashboard.Web.Tests.Fakes;

namespace UnlearnDashboard.Web.Tests;

/// <summary>
/// A bUnit context with MudBlazor and fakes for the compute server and the jobs hub, which need a network. The
/// user is signed in as the ML engineer "erin" unless a test calls <see cref="SignInAs"/>.
/// </summary>
public abstract class DashboardTestContext : BunitContext, IAsyncLifetime
{
    /// <param name="renderPopoverProvider">False for tests of the layout, which renders its own provider.</param>
    protected DashboardTestContext(bool renderPopoverProvider = true)
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton<IComputeCatalog>(Catalog);
        Services.AddSingleton<IComputeJobs>(Jobs);
        Services.AddSingleton<IComputeComparisons>(Comparisons);
        Services.AddSingleton<IComputeCounterfactuals>(Counterfactuals);
        Services.AddSingleton<IComputeAudit>(Audit);
        Services.AddSingleton<IComputeAccess>(Access);
        Services.AddSingleton<IComputeVersions>(Versions);
        Services.AddSingleton<IComputeErasures>(Erasures);
        Services.AddSingleton<IJobEventSource>(Events);
        Services.AddSingleton(TimeProvider.System);

        _authorization = AddAuthorization();
        SignInAs("erin", Role.Engineer);

        // Popovers (selects, tooltips) render into the provider.
        if (renderPopoverProvider)
            Render<MudPopoverProvider>();
    }

    private readonly BunitAuthorizationContext _authorization;

    /// <summary>Signs the rendered pages' user in as <paramref name="name"/> with <paramref name="role"/>, as the sign-in page does.</summary>
    protected void SignInAs(string name, Role role)
    {
        var principal = TestUsers.SignedIn(name, role);
        _authorization.SetAuthorized(name);
        _authorization.SetRoles(DashboardRoles.NameOf(role));
        _authorization.SetClaims(principal.Claims.Where(claim => claim.Type is not (ClaimTypes.Name or ClaimTypes.Role)).ToArray());
    }

    /// <summary>Renders pages for nobody signed in.</summary>
    protected void SignOut() => _authorization.SetNotAuthorized();

    protected FakeComputeCatalog Catalog { get; } = new();

    protected FakeComputeJobs Jobs { get; } = new();

    protected FakeComputeComparisons Comparisons { get; } = new();

    protected FakeComputeCounterfactuals Counterfactuals { get; } = new();

    protected FakeComputeAudit Audit { get; } = new();

    protected FakeComputeAccess Access { get; } = new();

    protected FakeComputeVersions Versions { get; } = new();

    protected FakeComputeErasures Erasures { get; } = new();

    protected FakeJobEventSource Events { get; } = new();

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services can only be disposed asynchronously, which xUnit 2 does only through IAsyncLifetime.
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    protected IReadOnlyList<string> SnackbarMessages =>
        Services.GetRequiredService<ISnackbar>().ShownSnackbars.Select(snackbar => snackbar.Message ?? "").ToList();
}
