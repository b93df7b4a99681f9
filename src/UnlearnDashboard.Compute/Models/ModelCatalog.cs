using Microsoft.EntityFrameworkCore;
using UnlearnDashboard.Compute.Services;
using UnlearnDashboard.Compute.Storage;

namespace UnlearnDashboard.Compute.Models;

/// <summary>Reads models and model versions from the database.</summary>
public sealed class ModelCatalog(IDbContextFactory<ComputeDbContext> dbFactory)
{
    /// <summary>Finds a version by id, or throws NOT_FOUND naming the field.</summary>
    public async Task<ModelVersionRow> GetVersionAsync(string versionId, string field, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(versionId))
            throw RpcErrors.InvalidArgument(field, $"{field} is empty; pass a model version id.");

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ModelVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Id == versionId, cancellationToken)
               ?? throw RpcErrors.NotFound($"Model version '{versionId}' ({field}) was not found; 'unlearn versions list' (ListVersions) shows the existing ones.");
    }

    public async Task<ModelVersionRow?> FindVersionAsync(string versionId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ModelVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Id == versionId, cancellationToken);
    }

    public async Task<ModelRow?> FindModelAsync(string modelId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Models.AsNoTracking().FirstOrDefaultAsync(m => m.Id == modelId, cancellationToken);
    }

    public async Task<IReadOnlyList<ModelRow>> ListModelsAsync(string? datasetId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Models.AsNoTracking();
        if (datasetId is not null)
            query = query.Where(m => m.DatasetId == datasetId);
        return await query.OrderBy(m => m.CreatedAt).ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ModelVersionRow>> ListVersionsAsync(string? modelId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.ModelVersions.AsNoTracking();
        if (modelId is not null)
            query = query.Where(v => v.ModelId == modelId);
        return await query.OrderBy(v => v.CreatedAt).ToListAsync(cancellationToken);
    }
}
