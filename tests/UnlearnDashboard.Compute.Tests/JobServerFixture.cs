using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>
/// A server with adult registered and trained for two epochs (its default version), and German Credit
/// registered with foreign_worker as the sensitive column and no model yet.
/// </summary>
public class JobServerFixture : ComputeServerFixture
{
    public Dataset Adult { get; private set; } = null!;

    public Dataset GermanCredit { get; private set; } = null!;

    /// <summary>The finished job that trained adult's default version.</summary>
    public Job BaseTraining { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Datasets.RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = DatasetSpecs.Adult("adult"),
            TrainPath = "adult.csv",
            TestPath = "adult-test.csv",
        });
        GermanCredit = await Datasets.RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = DatasetSpecs.GermanCreditByForeignWorker("german-credit"),
            TrainPath = "german-credit.csv",
        });

        var job = await Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "adult", Settings = new ModelSettings { Epochs = 2 } });
        BaseTraining = await JobWatcher.WaitForEndAsync(Jobs, job.Id);
        Adult = await Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = "adult" });
    }
}

/// <summary>The same server as <see cref="JobServerFixture"/>, storing its rows in PostgreSQL.</summary>
public sealed class PostgresJobServerFixture : JobServerFixture
{
    public override bool UsesPostgres => true;
}
