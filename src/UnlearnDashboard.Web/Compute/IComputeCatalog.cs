namespace UnlearnDashboard.Web.Compute;

/// <summary>Reads datasets and model versions from the compute server.</summary>
public interface IComputeCatalog
{
    /// <summary>Returns the datasets, models and versions.</summary>
    /// <exception cref="ComputeUnavailableException">The compute server could not be reached or returned an error.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<CatalogSnapshot> GetSnapshotAsync(CancellationToken cancellationToken);
}
