namespace UnlearnDashboard.Web.Compute;

/// <summary>Reads datasets and model versions from the compute server.</summary>
public interface IComputeCatalog
{
    /// <summary>Returns one row per model version, plus one row for each dataset without versions.</summary>
    /// <exception cref="ComputeUnavailableException">The compute server could not be reached or returned an error.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<IReadOnlyList<CatalogRow>> ListVersionsAsync(CancellationToken cancellationToken);
}
