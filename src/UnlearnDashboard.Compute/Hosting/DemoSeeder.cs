using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Audit;
using UnlearnDashboard.Compute.Counterfactuals;
using UnlearnDashboard.Compute.Datasets;
using UnlearnDashboard.Compute.Diagnostics;
using UnlearnDashboard.Compute.Jobs;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Engine.Counterfactuals;
using UnlearnDashboard.Engine.Data;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Hosting;

/// <summary>
/// With <see cref="ComputeOptions.SeedDemo"/> on, registers the shipped demo datasets through the same path as
/// RegisterDataset and queues training of each profile's demo model. The first training job to finish on a dataset
/// becomes its default model version. Each dataset then gets the engine's default counterfactual set, requested by the
/// first engineer user and approved by the first compliance user (see <see cref="Access.AccessBootstrapper"/>) through
/// the same path as the review RPCs, and recorded in the audit trail as done by them, so that the default debias
/// method runs on the demo data without further steps.
/// </summary>
/// <remarks>
/// Seeding ends by writing <see cref="MarkerFileName"/> in the data directory. Until that file exists, every start
/// finishes what an interrupted one left. It registers the missing demo datasets and queues the demo training of each
/// demo dataset without a default version or a queued or running training job. It also seeds the counterfactual set of
/// each demo dataset that has none in any status, so a set that an erasure withdrew is not replaced. Once the file
/// exists, a start only queues the demo training again when the server stopped before it ended. That applies to a
/// demo dataset that the seeder registered and that still has no default version and no queued or running training job.
/// </remarks>
internal sealed class DemoSeeder(
    IDbContextFactory<ComputeDbContext> dbFactory,
    DatasetCatalog catalog,
    CounterfactualCatalog counterfactuals,
    JobScheduler scheduler,
    IOptions<ComputeOptions> options,
    ILogger<DemoSeeder> logger) : BackgroundService
{
    public const string DemoRequester = "engineer";

    public const string DemoReviewer = "compliance";

    /// <summary>File in the data directory that exists once the demo seeding has finished.</summary>
    public const string MarkerFileName = "demo-seeded";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.SeedDemo)
            return;

        var watch = Stopwatch.StartNew();
        string marker = Path.Combine(options.Value.DataPath, MarkerFileName);
        try
        {
            if (File.Exists(marker))
            {
                await RequeueUnfinishedTrainingAsync(stoppingToken);
                return;
            }

            foreach (var profile in DatasetProfiles.All)
                await SeedAsync(profile, stoppingToken);

            await File.WriteAllTextAsync(marker, $"Demo seeding finished at {DateTime.UtcNow:O}.{Environment.NewLine}", stoppingToken);
            logger.DemoSeedFinished(watch.Elapsed.TotalSeconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The server is stopping.
        }
        catch (Exception error)
        {
            logger.DemoSeedFailed(error);
        }
    }

    /// <summary>
    /// Queues the demo training again for each demo dataset that the seeder registered (recorded in the audit
    /// trail as registered by the system) and that has no default model version and no queued or running
    /// training job. A demo dataset that a user deleted, or that has a default version, is left as it is.
    /// </summary>
    private async Task RequeueUnfinishedTrainingAsync(CancellationToken cancellationToken)
    {
        foreach (var profile in DatasetProfiles.All)
        {
            var dataset = await FindUntrainedSeededDatasetAsync(profile.Definition.Name, cancellationToken);
            if (dataset is null)
                continue;

            var job = await QueueTrainingAsync(profile, dataset, cancellationToken);
            logger.DemoTrainingRequeued(dataset.Name, dataset.Id, job.Id);
        }
    }

    /// <summary>
    /// Returns the seeded demo dataset of that name when it still needs its demo training, or null. With
    /// <paramref name="requireAudit"/>, the dataset counts as seeded only when the audit trail records the system
    /// registering it.
    /// </summary>
    private async Task<DatasetRow?> FindUntrainedSeededDatasetAsync(string name, CancellationToken cancellationToken, bool requireAudit = true)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var dataset = await db.Datasets.AsNoTracking()
            .FirstOrDefaultAsync(d => d.Name == name && d.DefaultModelVersionId == null, cancellationToken);
        if (dataset is null)
            return null;

        string subject = $"dataset/{dataset.Id}";
        bool registeredBySeeder = !requireAudit || await db.AuditEntries.AnyAsync(
            e => e.Action == AuditActions.DatasetRegister && e.Subject == subject && e.Actor == AuditActors.System, cancellationToken);
        if (!registeredBySeeder)
            return null;

        bool trainingPending = await db.Jobs.AnyAsync(
            j => j.DatasetId == dataset.Id
                 && j.Kind == (int)Proto.JobKind.Train
                 && (j.State == (int)Proto.JobState.Queued || j.State == (int)Proto.JobState.Running),
            cancellationToken);
        return trainingPending ? null : dataset;
    }

    private async Task<JobRow> QueueTrainingAsync(DatasetProfile profile, DatasetRow dataset, CancellationToken cancellationToken)
    {
        var request = new Proto.TrainModelRequest { Dataset = dataset.Id, Settings = profile.ModelSettings.ToProto() };
        var job = scheduler.CreateJob(Proto.JobKind.Train, request, dataset.Id, modelVersionId: null);
        await scheduler.SubmitAsync(job, deadlineSeconds: null, AuditActors.System, cancellationToken);
        return job;
    }

    /// <summary>
    /// Registers the profile's dataset unless it exists, queues its demo training unless it has a default version or
    /// one is queued or running, and seeds its counterfactual set unless it has one. An interrupted seeding thus
    /// resumes where it stopped.
    /// </summary>
    private async Task SeedAsync(DatasetProfile profile, CancellationToken cancellationToken)
    {
        var dataset = await FindDatasetAsync(profile.Definition.Name, cancellationToken);
        if (dataset is null)
        {
            string trainPath = Path.Combine(DatasetProfiles.DataFolder, profile.TrainFile);
            string? testPath = profile.TestFile is null ? null : Path.Combine(DatasetProfiles.DataFolder, profile.TestFile);
            using var train = await catalog.StageAsync(trainPath, cancellationToken);
            using var test = testPath is null ? null : await catalog.StageAsync(testPath, cancellationToken);
            dataset = await catalog.RegisterAsync(AuditActors.System, profile.Definition, train, profile.TrainFile, test, profile.TestFile, cancellationToken);

            var job = await QueueTrainingAsync(profile, dataset, cancellationToken);
            logger.DemoSeeded(dataset.Name, dataset.Id, job.Id);
        }
        else if (await FindUntrainedSeededDatasetAsync(dataset.Name, cancellationToken, requireAudit: false) is { } untrained)
        {
            // The audit entry of a registration can be missing when the server stopped between the two writes.
            var job = await QueueTrainingAsync(profile, untrained, cancellationToken);
            logger.DemoTrainingRequeued(untrained.Name, untrained.Id, job.Id);
        }

        // A set left pending by a seeding stopped before the approval is approved now; a dataset with no set gets one.
        var sets = await counterfactuals.ListAsync(dataset.Id, status: null, cancellationToken);
        var pending = sets.All(set => set.Status == (int)Proto.CounterfactualSetStatus.Pending)
            ? sets.FirstOrDefault(set => set.RequestedBy == DemoRequester)
            : null;
        if (sets.Count == 0 || pending is not null)
            await SeedCounterfactualSetAsync(dataset, pending, cancellationToken);
    }

    private async Task<DatasetRow?> FindDatasetAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Datasets.AsNoTracking().FirstOrDefaultAsync(d => d.Name == name, cancellationToken);
    }

    /// <summary>
    /// Generates the dataset's default counterfactual set, unless <paramref name="pending"/> is one already generated,
    /// and approves it. A failure is logged and leaves the dataset usable by methods that need no set.
    /// </summary>
    private async Task SeedCounterfactualSetAsync(DatasetRow dataset, CounterfactualSetRow? pending, CancellationToken cancellationToken)
    {
        try
        {
            var set = pending;
            if (set is null)
            {
                var data = await catalog.GetPreparedAsync(dataset).WaitAsync(cancellationToken);
                var spec = CounterfactualDefaults.For(data);
                set = await counterfactuals.GenerateAsync(DemoRequester, dataset, spec, DemoRequester, cancellationToken);
            }

            await counterfactuals.ReviewAsync(DemoReviewer, set.Id, DemoReviewer, "Default demo counterfactual set.",
                Proto.CounterfactualSetStatus.Approved, cancellationToken);
            logger.DemoCounterfactualSetSeeded(set.Id, dataset.Name);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.DemoCounterfactualSetFailed(error, dataset.Name);
        }
    }
}
