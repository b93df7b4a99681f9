using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Tests.Fakes;

/// <summary>Returns a fixed snapshot, or throws the given error, in place of the compute server.</summary>
public sealed class FakeComputeCatalog : IComputeCatalog
{
    public CatalogSnapshot Snapshot { get; set; } = CatalogSnapshot.Empty;

    public Exception? Error { get; set; }

    /// <summary>When set, calls wait for it, so a test can see the loading state.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public async Task<CatalogSnapshot> GetSnapshotAsync(CancellationToken cancellationToken)
    {
        if (Gate is not null)
            await Gate.Task.WaitAsync(cancellationToken);
        if (Error is not null)
            throw Error;
        return Snapshot;
    }
}
