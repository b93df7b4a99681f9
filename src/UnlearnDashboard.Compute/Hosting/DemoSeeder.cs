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
/// On a first start (no datasets) with <see cref="ComputeOptions.SeedDemo"/> on, registers the shipped demo
/// datasets through the same path as RegisterDataset and queues training of each profile's demo model. The
/// first training job to finish on a dataset becomes its default model version. Each dataset then gets the
/// engine's default counterfactual set, requested by the first engineer user and approved by the first compliance
/// user (see <see cref="Access.AccessBootstrapper"/>) through the same path as the review RPCs, and recorded in the
/// audit trail as done by them, so that the default debias method runs on the demo data without further steps.
/// On a later start, a demo dataset that the seeder registered and that still has no default model version and no
/// queued or running training job (because the server stopped before its training ended) gets the demo training
/// queued again.
/// </summary>
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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.SeedDemo)
            return;

        var watch = Stopwatch.StartNew();
        try
        {
            if (await catalog.AnyAsync(stoppingToken))
            {
                await RequeueUnfinishedTrainingAsync(stoppingToken);
                return;
            }

            foreach (var profile in DatasetProfiles.All)
                await SeedAsync(profile, stoppingToken);
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

    /// <summary>Returns the seeded demo dataset of that name when it still needs its demo training, or null.</summary>
    private async Task<DatasetRow?> FindUntrainedSeededDatasetAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var dataset = await db.Datasets.AsNoTracking()
            .FirstOrDefaultAsync(d => d.Name == name && d.DefaultModelVersionId == null, cancellationToken);
        if (dataset is null)
            return null;

        string subject = $"dataset/{dataset.Id}";
        bool registeredBySeeder = await db.AuditEntries.AnyAsync(
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

    private async Task SeedAsync(DatasetProfile profile, CancellationToken cancellationToken)
    {
        string trainPath = Path.Combine(DatasetProfiles.DataFolder, profile.TrainFile);
        string? testPath = profile.TestFile is null ? null : Path.Combine(DatasetProfiles.DataFolder, profile.TestFile);
        using var train = await catalog.StageAsync(trainPath, cancellationToken);
        using var test = testPath is null ? null : await catalog.StageAsync(testPath, cancellationToken);
        var dataset = await catalog.RegisterAsync(AuditActors.System, profile.Definition, train, profile.TrainFile, test, profile.TestFile, cancellationToken);

        var job = await QueueTrainingAsync(profile, dataset, cancellationToken);
        logger.DemoSeeded(dataset.Name, dataset.Id, job.Id);

        await SeedCounterfactualSetAsync(dataset, cancellationToken);
    }

    /// <summary>
    /// Generates and approves the dataset's default counterfactual set. A failure is logged and leaves the
    /// dataset usable by methods that need no set.
    /// </summary>
    private async Task SeedCounterfactualSetAsync(DatasetRow dataset, CancellationToken cancellationToken)
    {
        try
        {
            var data = await catalog.GetPreparedAsync(dataset).WaitAsync(cancellationToken);
            var spec = CounterfactualDefaults.For(data);
            var set = await counterfactuals.GenerateAsync(DemoRequester, dataset, spec, DemoRequester, cancellationToken);
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
