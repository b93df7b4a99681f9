using System.Diagnostics;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Datasets;
using UnlearnDashboard.Compute.Diagnostics;
using UnlearnDashboard.Compute.Jobs;
using UnlearnDashboard.Engine.Data;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Hosting;

/// <summary>
/// On a first start (no datasets) with <see cref="ComputeOptions.SeedDemo"/> on, registers the shipped demo
/// datasets through the same path as RegisterDataset and queues training of the default MLP on each. The
/// first training job to finish on a dataset becomes its default model version.
/// </summary>
internal sealed class DemoSeeder(
    DatasetCatalog catalog,
    JobScheduler scheduler,
    IOptions<ComputeOptions> options,
    ILogger<DemoSeeder> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.SeedDemo || await catalog.AnyAsync(stoppingToken))
            return;

        var watch = Stopwatch.StartNew();
        try
        {
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

    private async Task SeedAsync(DatasetProfile profile, CancellationToken cancellationToken)
    {
        string trainPath = Path.Combine(DatasetProfiles.DataFolder, profile.TrainFile);
        string? testPath = profile.TestFile is null ? null : Path.Combine(DatasetProfiles.DataFolder, profile.TestFile);
        using var train = await catalog.StageAsync(trainPath, cancellationToken);
        using var test = testPath is null ? null : await catalog.StageAsync(testPath, cancellationToken);
        var dataset = await catalog.RegisterAsync(profile.Definition, train, profile.TrainFile, test, profile.TestFile, cancellationToken);

        var request = new Proto.TrainModelRequest { Dataset = dataset.Id, Settings = new Proto.ModelSettings() };
        var job = scheduler.CreateJob(Proto.JobKind.Train, request, dataset.Id, modelVersionId: null);
        await scheduler.SubmitAsync(job, deadlineSeconds: null, cancellationToken);
        logger.DemoSeeded(dataset.Name, dataset.Id, job.Id);
    }
}
