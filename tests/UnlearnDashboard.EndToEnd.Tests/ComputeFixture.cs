using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary>
/// One Compute process for the test class, started once its demo models are trained and its demo
/// counterfactual sets approved.
/// </summary>
public sealed class ComputeFixture : IAsyncLifetime
{
    private ComputeProcess? _server;

    public ComputeProcess Server => _server ?? throw new InvalidOperationException("Compute is not started.");

    public async Task InitializeAsync()
    {
        _server = await ComputeProcess.StartAsync();
        // Training the demo models takes about 30 s on an idle 2-core machine and took 163 s under heavy load.
        await WaitForDemoModelsAsync(TimeSpan.FromMinutes(8));
    }

    private async Task WaitForDemoModelsAsync(TimeSpan timeout)
    {
        using var channel = Server.CreateChannel();
        var datasets = new DatasetService.DatasetServiceClient(channel);
        var counterfactuals = new CounterfactualService.CounterfactualServiceClient(channel);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var list = await datasets.ListDatasetsAsync(new ListDatasetsRequest());
            var approved = await counterfactuals.ListCounterfactualSetsAsync(
                new ListCounterfactualSetsRequest { Status = CounterfactualSetStatus.Approved });
            if (list.Datasets.Count >= 2 && list.Datasets.All(d => d.DefaultModelVersionId != "") && approved.Sets.Count >= 2)
                return;
            await Task.Delay(500);
        }

        throw new TimeoutException($"The demo models and counterfactual sets were not ready within {timeout.TotalSeconds} s:\n{Server.Log}");
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}

/// <summary>
/// Shares one compute process, with its demo seeding, among every test class of this project, because
/// starting one takes seconds of training. The classes run one after another.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ComputeCollection : ICollectionFixture<ComputeFixture>
{
    public const string Name = "compute process";
}
