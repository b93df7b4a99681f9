using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Pipeline;

namespace UnlearnDashboard.Engine.Tests.Pipeline;

public sealed class ErasureDivergenceTests
{
    [Fact]
    public void Run_DivergingNewtonSteps_FailsNamingNewtonSteps()
    {
        var german = DatasetProfiles.Load(DatasetProfiles.GermanCredit);
        using var model = ModelTrainer.Train(german, new ModelSettings(), null, null, CancellationToken.None);
        long[] rows = german.Train.RowIds.Take(16).ToArray();
        // At the rule's damping (1e-4 here), ten Newton steps over every layer made the weights NaN at step 6 in one
        // run. Three steps at damping 1e-6 diverge too, but their solves take about a minute.
        var options = new ErasureOptions { Layers = ["fc1", "fc2", "fc3"], NewtonSteps = 10, Retrain = false };

        var error = Assert.Throws<EngineException>(() => ErasurePipeline.Run(model, german, rows, options, null, CancellationToken.None));

        Assert.Equal(EngineErrorKind.FailedPrecondition, error.Kind);
        Assert.Equal("newton_steps", error.Field);
        Assert.Equal("10", error.Value);
        Assert.Contains("of 10 at damping 0.0001 made", error.Message);
        Assert.Contains("NaN or infinite", error.Message);
        Assert.Contains("Use fewer newton_steps, or a larger damping.", error.Message);
    }
}
