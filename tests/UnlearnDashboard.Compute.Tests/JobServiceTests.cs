using System.Diagnostics;
using Grpc.Core;
using UnlearnDashboard.Protos.V1;
using Xunit.Abstractions;

namespace UnlearnDashboard.Compute.Tests;

public abstract partial class JobServiceTests(JobServerFixture server, ITestOutputHelper output)
{
    private JobService.JobServiceClient Jobs => server.Jobs;

    [Fact]
    public async Task TrainModel_Adult_StreamsProgressThenVersion()
    {
        var watch = Stopwatch.StartNew();

        var job = await Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "adult", Settings = new ModelSettings { Epochs = 3 } });
        var events = await JobWatcher.CollectAsync(Jobs, job.Id);
        output.WriteLine($"3-epoch adult training job: {watch.Elapsed.TotalSeconds:F1} s, {events.Count} events");
        var finished = await Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id });
        var version = await server.Models.GetVersionAsync(new GetVersionRequest { VersionId = events[^1].Result.Train.VersionId });

        Assert.Equal(JobState.Queued, job.State);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), JobWatcher.Sequences(events));
        Assert.Equal("queued", events[0].Progress.Phase);
        Assert.Equal(3, events.Count(e => e.Progress?.Phase == "training"));
        Assert.Equal(JobEvent.EventOneofCase.Result, events[^1].EventCase);
        Assert.Equal(JobState.Succeeded, finished.State);
        Assert.Equal(events.Count, finished.LastSequence);
        Assert.Equal(version.Id, finished.ModelVersionId);
        Assert.Equal(finished.Result, events[^1].Result);
        Assert.Equal(["fc1", "fc2", "fc3"], version.Layers.Select(l => l.Name));
    }

    [Fact]
    public void TrainModel_WorkerJob_ReportsPeakResidentMemory()
    {
        long peak = server.BaseTraining.Result.WorkerPeakResidentBytes;

        // A worker loads the .NET runtime and libtorch, so its peak is well above 64 MiB; Adult needs far less than 4 GiB.
        Assert.InRange(peak, 64L << 20, 4L << 30);
    }

    [Fact]
    public async Task GetVersion_TrainedVersion_HasTrainingTestReport()
    {
        var trained = server.BaseTraining.Result.Train;

        var version = await server.Models.GetVersionAsync(new GetVersionRequest { VersionId = trained.VersionId });

        Assert.Equal(trained.TestReport, version.TestReport);
        Assert.Equal(trained.ModelId, version.ModelId);
        Assert.Empty(version.ParentVersionId);
    }

    [Fact]
    public async Task EvaluateFairness_TrainedVersion_MatchesTrainingTestReport()
    {
        var trained = server.BaseTraining.Result.Train;

        var report = await server.Models.EvaluateFairnessAsync(new EvaluateFairnessRequest { VersionId = trained.VersionId });

        Assert.Equal(trained.TestReport, report);
        Assert.True(report.HasAccuracy);
        Assert.Equal(15_060, report.Count);
    }

    [Fact]
    public async Task TrainModel_FirstOnDataset_BecomesDefaultVersion()
    {
        var dataset = await server.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = "adult" });

        Assert.Equal(server.BaseTraining.Result.Train.VersionId, dataset.DefaultModelVersionId);
    }

    [Fact]
    public async Task WatchJob_LateWatcher_ReceivesEveryEvent()
    {
        var job = await Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "german-credit", Settings = new ModelSettings { Epochs = 5 } });

        var live = await JobWatcher.CollectAsync(Jobs, job.Id);
        var late = await JobWatcher.CollectAsync(Jobs, job.Id);

        Assert.Equal(JobEvent.EventOneofCase.Result, live[^1].EventCase);
        Assert.Equal(live, late);
    }

    [Fact]
    public async Task WatchJob_AfterSequence_SkipsEarlier()
    {
        var all = await JobWatcher.CollectAsync(Jobs, server.BaseTraining.Id);
        const int after = 2;

        var rest = await JobWatcher.CollectAsync(Jobs, server.BaseTraining.Id, after);

        Assert.Equal(Enumerable.Range(after + 1, all.Count - after).Select(i => (long)i), JobWatcher.Sequences(rest));
        Assert.Equal(all.Skip(after), rest);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1_000_000)]
    public async Task WatchJob_AfterLastSequenceOfEndedJob_EndsAtOnce(long beyondLast)
    {
        var all = await JobWatcher.CollectAsync(Jobs, server.BaseTraining.Id);
        long last = all[^1].Sequence;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var call = Jobs.WatchJob(new WatchJobRequest { JobId = server.BaseTraining.Id, AfterSequence = last + beyondLast }, cancellationToken: deadline.Token);
        bool any = await call.ResponseStream.MoveNext(deadline.Token);

        Assert.False(any);
    }

    [Fact]
    public async Task WatchJob_AfterSequenceWhileRunning_SkipsEarlier()
    {
        var job = await Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "adult", Settings = new ModelSettings { Epochs = 3 } });
        const int after = 3;

        var rest = await JobWatcher.CollectAsync(Jobs, job.Id, after);
        var all = await JobWatcher.CollectAsync(Jobs, job.Id);

        Assert.Equal(all.Skip(after), rest);
    }

    [Fact]
    public async Task WatchJob_WatcherCancels_JobStillSucceeds()
    {
        var job = await Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "adult", Settings = new ModelSettings { Epochs = 3 } });
        using var stopWatching = new CancellationTokenSource();
        using var call = Jobs.WatchJob(new WatchJobRequest { JobId = job.Id }, cancellationToken: stopWatching.Token);

        Assert.True(await call.ResponseStream.MoveNext());
        Assert.True(await call.ResponseStream.MoveNext());
        stopWatching.Cancel();
        var watchError = await RpcAssert.FailsAsync(() => call.ResponseStream.MoveNext());
        var finished = await JobWatcher.WaitForEndAsync(Jobs, job.Id);

        Assert.Equal(StatusCode.Cancelled, watchError.StatusCode);
        Assert.Equal(JobState.Succeeded, finished.State);
    }

    [Fact]
    public async Task CancelJob_RunningTraining_EndsCancelledWithoutVersion()
    {
        int versionsBefore = (await server.Models.ListVersionsAsync(new ListVersionsRequest())).Versions.Count;
        var job = await Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "adult", Settings = new ModelSettings { Epochs = 500 } });
        await JobWatcher.WaitForPhaseAsync(Jobs, job.Id, "training");

        var watch = Stopwatch.StartNew();
        var cancelled = await Jobs.CancelJobAsync(new CancelJobRequest { JobId = job.Id });
        var stopSeconds = watch.Elapsed.TotalSeconds;
        output.WriteLine($"CancelJob returned after {stopSeconds:F2} s");
        var events = await JobWatcher.CollectAsync(Jobs, job.Id);
        int versionsAfter = (await server.Models.ListVersionsAsync(new ListVersionsRequest())).Versions.Count;

        Assert.Equal(JobState.Cancelled, cancelled.State);
        Assert.True(stopSeconds < 2, $"the job took {stopSeconds:F2} s to stop");
        Assert.Equal(JobState.Cancelled, events[^1].Ended.State);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), JobWatcher.Sequences(events));
        Assert.Equal(versionsBefore, versionsAfter);
    }

    [Fact]
    public async Task CancelJob_QueuedJob_EndsCancelledWithoutStarting()
    {
        var running = await Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "adult", Settings = new ModelSettings { Epochs = 500 } });
        var queued = await Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "german-credit", Settings = new ModelSettings { Epochs = 1 } });

        var cancelled = await Jobs.CancelJobAsync(new CancelJobRequest { JobId = queued.Id });
        await Jobs.CancelJobAsync(new CancelJobRequest { JobId = running.Id });
        var events = await JobWatcher.CollectAsync(Jobs, queued.Id);

        Assert.Equal(JobState.Cancelled, cancelled.State);
        Assert.Null(cancelled.StartedAt);
        Assert.Equal(["queued", null], events.Select(e => e.Progress?.Phase));
        Assert.Equal(JobState.Cancelled, events[^1].Ended.State);
    }

    [Fact]
    public async Task CancelJob_FinishedJob_IsFailedPrecondition()
    {
        var request = new CancelJobRequest { JobId = server.BaseTraining.Id };

        var error = await RpcAssert.FailsAsync(() => Jobs.CancelJobAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(["job_id"], RpcAssert.ViolatedFields(error));
        Assert.Equal($"Job {request.JobId} has already ended as SUCCEEDED; only a queued or running job can be cancelled.", error.Status.Detail);
    }

    [Theory]
    [InlineData("remove_fraction 0.7", "remove_fraction")]
    [InlineData("remove_fraction NaN", "remove_fraction")]
    [InlineData("remove_fraction 0", "remove_fraction")]
    [InlineData("remove_fraction -0.1", "remove_fraction")]
    [InlineData("damping -1", "damping")]
    [InlineData("damping 1e308", "damping")]
    [InlineData("max_accuracy_loss 2", "max_accuracy_loss")]
    [InlineData("unknown layer", "layers")]
    [InlineData("wrong sensitive attribute", "sensitive_attribute")]
    [InlineData("counterfactual_weight for the default method", "counterfactual_weight")]
    [InlineData("retain_weight for influence-newton", "retain_weight")]
    [InlineData("steps for influence-newton", "steps")]
    [InlineData("saliency_fraction for gradient ascent", "saliency_fraction")]
    [InlineData("newton_steps for gradient ascent", "newton_steps")]
    [InlineData("random_draws 1000", "evidence.random_draws")]
    [InlineData("seed_band_seeds 1", "evidence.seed_band_seeds")]
    [InlineData("random_draws without the control", "evidence.random_draws")]
    [InlineData("seed_band_seeds without the band", "evidence.seed_band_seeds")]
    public async Task SubmitDebias_InvalidRequest_NamesField(string invalidCase, string expectedField)
    {
        var request = new DebiasRequest { Dataset = "adult", SensitiveAttribute = "sex" };
        switch (invalidCase)
        {
            case "remove_fraction 0.7": request.RemoveFraction = 0.7; break;
            case "remove_fraction NaN": request.RemoveFraction = double.NaN; break;
            case "remove_fraction 0": request.RemoveFraction = 0; break;
            case "remove_fraction -0.1": request.RemoveFraction = -0.1; break;
            case "damping -1": request.Damping = -1; break;
            case "damping 1e308": request.Damping = 1e308; break;
            case "max_accuracy_loss 2": request.MaxAccuracyLoss = 2; break;
            case "unknown layer": request.Layers.Add("fc9"); break;
            case "wrong sensitive attribute": request.SensitiveAttribute = "race"; break;
            case "counterfactual_weight for the default method": request.CounterfactualWeight = 2; break;
            case "retain_weight for influence-newton":
                request.Method = DebiasMethod.InfluenceNewton;
                request.RetainWeight = 0.5;
                break;
            case "steps for influence-newton":
                request.Method = DebiasMethod.InfluenceNewton;
                request.Steps = 20;
                break;
            case "newton_steps for gradient ascent":
                request.Method = DebiasMethod.GradientAscent;
                request.NewtonSteps = 2;
                break;
            case "saliency_fraction for gradient ascent":
                request.Method = DebiasMethod.GradientAscent;
                request.SaliencyFraction = 0.2;
                break;
            case "random_draws 1000": request.Evidence = new EvidenceRequest { RandomControl = true, RandomDraws = 1000 }; break;
            case "seed_band_seeds 1": request.Evidence = new EvidenceRequest { SeedBand = true, SeedBandSeeds = 1 }; break;
            case "random_draws without the control": request.Evidence = new EvidenceRequest { RandomControl = false, RandomDraws = 50 }; break;
            case "seed_band_seeds without the band": request.Evidence = new EvidenceRequest { SeedBandSeeds = 2 }; break;
        }

        var error = await RpcAssert.FailsAsync(() => Jobs.SubmitDebiasAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal([expectedField], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task SubmitDebias_EmptyLayer_SaysItIsEmpty()
    {
        var request = new DebiasRequest { Dataset = "adult", Layers = { "fc3", "" } };

        var error = await RpcAssert.FailsAsync(() => Jobs.SubmitDebiasAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["layers"], RpcAssert.ViolatedFields(error));
        Assert.Equal("layers[1] is empty; name a layer of this model (fc1, fc2, fc3), or leave layers empty for the last one.", error.Status.Detail);
    }

    [Fact]
    public async Task SubmitDebias_NulInLayer_NamesItem()
    {
        var request = new DebiasRequest { Dataset = "adult", Layers = { "fc2", "fc3\0" } };

        var error = await RpcAssert.FailsAsync(() => Jobs.SubmitDebiasAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["layers[1]"], RpcAssert.ViolatedFields(error));
        Assert.Contains("U+0000 at position 3", error.Status.Detail);
    }

    [Theory]
    [InlineData(20)]
    [InlineData(0)]
    public async Task SubmitDebias_FieldTheMethodIgnores_NamesMethodsThatReadIt(int steps)
    {
        var request = new DebiasRequest { Dataset = "adult", Method = DebiasMethod.InfluenceNewton, Steps = steps };

        var error = await RpcAssert.FailsAsync(() => Jobs.SubmitDebiasAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(
            $"Method influence-newton ignores steps ({steps}); only gradient-ascent, counterfactual-fine-tune and data-free read it. "
            + "Leave steps unset, or choose one of those methods.",
            error.Status.Detail);
    }

    [Theory]
    [InlineData(DebiasMethod.InfluenceNewton)]
    [InlineData(DebiasMethod.CounterfactualReplacement)]
    public async Task SubmitDebias_SeedWithoutLissa_IsInvalidArgument(DebiasMethod method)
    {
        var request = new DebiasRequest { Dataset = "adult", Method = method, Seed = 12345 };
        int jobsBefore = (await Jobs.ListJobsAsync(new ListJobsRequest())).Jobs.Count;

        var error = await RpcAssert.FailsAsync(() => Jobs.SubmitDebiasAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["seed"], RpcAssert.ViolatedFields(error));
        Assert.StartsWith($"Method {(method == DebiasMethod.InfluenceNewton ? "influence-newton" : "counterfactual-replacement")} ignores seed (12345) "
            + "unless solver is INFLUENCE_SOLVER_LISSA", error.Status.Detail);
        Assert.Equal(jobsBefore, (await Jobs.ListJobsAsync(new ListJobsRequest())).Jobs.Count);
    }

    [Fact]
    public async Task SubmitDebias_SeedWithLissa_RunsWithSeed()
    {
        var request = new DebiasRequest
        {
            Dataset = "adult", Method = DebiasMethod.InfluenceNewton, Solver = InfluenceSolver.Lissa, Seed = 7, Evidence = new EvidenceRequest { RandomControl = false, GroupThresholds = false, MembershipInference = false },
        };

        var job = await Jobs.SubmitDebiasAsync(request);
        var finished = await JobWatcher.WaitForEndAsync(Jobs, job.Id);

        Assert.Equal(JobState.Succeeded, finished.State);
        Assert.Equal(7u, finished.DebiasRequest.Seed);
        Assert.Equal(InfluenceSolver.Lissa, finished.Result.Debias.Influence.Solver);
    }

    [Fact]
    public async Task TrainModel_ZeroEpochs_NamesSettingsField()
    {
        var request = new TrainModelRequest { Dataset = "adult", Settings = new ModelSettings { Epochs = 0 } };

        var error = await RpcAssert.FailsAsync(() => Jobs.TrainModelAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["settings.epochs"], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task TrainModel_LogisticRegressionWithHidden_NamesHidden()
    {
        var settings = new ModelSettings { Architecture = Architecture.LogisticRegression, Hidden = { 8 } };
        var request = new TrainModelRequest { Dataset = "adult", Settings = settings };

        var error = await RpcAssert.FailsAsync(() => Jobs.TrainModelAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["settings.hidden"], RpcAssert.ViolatedFields(error));
        Assert.Contains("[8]", error.Status.Detail);
    }

    [Fact]
    public async Task TrainModel_TooManyHiddenLayers_NamesHidden()
    {
        var settings = new ModelSettings { Hidden = { Enumerable.Repeat(1, 1000) } };
        var request = new TrainModelRequest { Dataset = "adult", Settings = settings };

        var error = await RpcAssert.FailsAsync(() => Jobs.TrainModelAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["settings.hidden"], RpcAssert.ViolatedFields(error));
        Assert.Equal("hidden names 1000 hidden layers; at most 16 are allowed.", error.Status.Detail);
    }

    [Fact]
    public async Task SubmitDebias_DatasetWithoutModel_IsFailedPrecondition()
    {
        // A dataset of its own, because other tests of the class train models on german-credit.
        await server.Datasets.RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = DatasetSpecs.GermanCreditByForeignWorker("german-untrained"),
            TrainPath = "german-credit.csv",
        });
        var request = new DebiasRequest { Dataset = "german-untrained", SensitiveAttribute = "foreign_worker" };

        var error = await RpcAssert.FailsAsync(() => Jobs.SubmitDebiasAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(["model_version_id"], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task SubmitDebias_SecondSeedBand_ReusesWorkersTrainings()
    {
        // A dataset of its own, so that no other test's job has cached a band for its model.
        await server.Datasets.RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = DatasetSpecs.GermanCreditByForeignWorker("german-seed-band"),
            TrainPath = "german-credit.csv",
        });
        var training = await Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "german-seed-band", Settings = new ModelSettings { Epochs = 5 } });
        await JobWatcher.WaitForEndAsync(Jobs, training.Id);
        var request = new DebiasRequest
        {
            Dataset = "german-seed-band",
            SensitiveAttribute = "foreign_worker",
            Method = DebiasMethod.InfluenceNewton,
            RemoveFraction = 0.02,
            Evidence = new EvidenceRequest
            {
                Retrain = false, Reweighing = false, GroupThresholds = false, RandomControl = false, MembershipInference = false,
                SeedBand = true, SeedBandSeeds = 2,
            },
        };

        var first = await JobWatcher.WaitForEndAsync(Jobs, (await Jobs.SubmitDebiasAsync(request)).Id);
        var second = await JobWatcher.WaitForEndAsync(Jobs, (await Jobs.SubmitDebiasAsync(request)).Id);

        var firstBand = first.Result.Debias.Evidence.SeedBand;
        var secondBand = second.Result.Debias.Evidence.SeedBand;
        Assert.False(firstBand.FromCache);
        Assert.True(secondBand.FromCache);
        Assert.Equal(firstBand.Metrics.Select(m => m.Mean), secondBand.Metrics.Select(m => m.Mean));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(server.DataDirectory, "cache", "seed-band"), "*.json"));
    }

    [Theory]
    [InlineData("GetJob")]
    [InlineData("WatchJob")]
    [InlineData("CancelJob")]
    [InlineData("GetVersion")]
    [InlineData("EvaluateFairness")]
    [InlineData("TrainModel")]
    [InlineData("SubmitDebias")]
    public async Task Call_UnknownId_IsNotFound(string method)
    {
        const string unknown = "00000000-0000-0000-0000-000000000000";
        Func<Task> call = method switch
        {
            "GetJob" => () => Jobs.GetJobAsync(new GetJobRequest { JobId = unknown }).ResponseAsync,
            "WatchJob" => () => JobWatcher.CollectAsync(Jobs, unknown),
            "CancelJob" => () => Jobs.CancelJobAsync(new CancelJobRequest { JobId = unknown }).ResponseAsync,
            "GetVersion" => () => server.Models.GetVersionAsync(new GetVersionRequest { VersionId = unknown }).ResponseAsync,
            "EvaluateFairness" => () => server.Models.EvaluateFairnessAsync(new EvaluateFairnessRequest { VersionId = unknown }).ResponseAsync,
            "TrainModel" => () => Jobs.TrainModelAsync(new TrainModelRequest { Dataset = unknown }).ResponseAsync,
            "SubmitDebias" => () => Jobs.SubmitDebiasAsync(new DebiasRequest { Dataset = "adult", ModelVersionId = unknown }).ResponseAsync,
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
        };

        var error = await RpcAssert.FailsAsync(call);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task SubmitDebias_DefaultVersion_CreatesChildVersion()
    {
        var baseVersionId = server.Adult.DefaultModelVersionId;
        var watch = Stopwatch.StartNew();

        var job = await Jobs.SubmitDebiasAsync(new DebiasRequest { Dataset = "adult", SensitiveAttribute = "sex", RemoveFraction = 0.05, MaxAccuracyLoss = 0.5 });
        var events = await JobWatcher.CollectAsync(Jobs, job.Id);
        output.WriteLine($"Debias job on adult: {watch.Elapsed.TotalSeconds:F1} s, {events.Count} events");
        var last = events[^1];
        Assert.True(last.EventCase == JobEvent.EventOneofCase.Result, $"The job ended without a result: {last}");
        var result = last.Result.Debias;
        var version = await server.Models.GetVersionAsync(new GetVersionRequest { VersionId = result.NewVersionId });

        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), JobWatcher.Sequences(events));
        Assert.Contains(events, e => e.Progress?.Phase == "ranking");
        Assert.Equal(baseVersionId, result.BaseVersionId);
        Assert.Equal(baseVersionId, version.ParentVersionId);
        Assert.Equal(result.RemovedRowIds.Count, result.RemovedSampleCount);
        Assert.Equal(result.RemovedSampleCount, version.RemovedSampleCount);
        Assert.True(result.Before.HasAccuracy);
        Assert.True(result.After.HasDemographicParityDifference);
        Assert.Equal(result.After, version.TestReport);
        Assert.True(version.TestReport.Intervals.Metrics.Single(m => m.Metric == "equalized_odds_difference").HasUpper);
        Assert.Null(result.Retrain);
        Assert.Equal(0.5, result.AccuracyBudget.MaxAccuracyLoss);
        Assert.Equal(1, result.AccuracyBudget.StepScale);
        Assert.True(result.AccuracyBudget.ValidationAccuracyBefore - result.AccuracyBudget.ValidationAccuracyAfter <= 0.5);
    }

    [Fact]
    public async Task SubmitDebias_DeadlinePassed_EndsCancelled()
    {
        var request = new DebiasRequest { Dataset = "adult", SensitiveAttribute = "sex", DeadlineSeconds = 0.001 };

        var job = await Jobs.SubmitDebiasAsync(request);
        var events = await JobWatcher.CollectAsync(Jobs, job.Id);

        Assert.Equal(JobState.Cancelled, events[^1].Ended.State);
        Assert.Contains("The deadline of 0.001 s (deadline_seconds) passed", events[^1].Ended.Message);
    }

    [Fact]
    public async Task SubmitDebias_CompareRetrain_ReportsRetrain()
    {
        var request = new DebiasRequest { Dataset = "adult", SensitiveAttribute = "sex", CompareRetrain = true, Layers = { "fc3" } };

        var job = await Jobs.SubmitDebiasAsync(request);
        var finished = await JobWatcher.WaitForEndAsync(Jobs, job.Id);

        Assert.Equal(JobState.Succeeded, finished.State);
        Assert.NotNull(finished.Result.Debias.Retrain);
        var timings = finished.Result.Debias.Timings;
        Assert.True(timings.RetrainSeconds > 0);
        Assert.True(timings.HasRetrainSpeedUp);
        Assert.Equal(timings.RetrainSeconds / (timings.RankingSeconds + timings.UnlearningSeconds), timings.RetrainSpeedUp, 12);
        Assert.Equal(["fc3"], finished.Result.Debias.Influence.Layers);
        Assert.Equal(ObjectiveRows.Validation, finished.Result.Debias.Influence.ObjectiveRows);
        Assert.Equal(3016, finished.Result.Debias.Influence.ObjectiveRowCount);

        // This server seeded no counterfactual set, so the default method mapped rows by the dataset's default maps.
        Assert.Equal("", finished.Result.Debias.CounterfactualSetId);
        Assert.Contains("The counterfactuals came from the dataset's default value maps (sex: ", Assert.Single(finished.Result.Debias.Warnings,
            warning => warning.Contains("nobody reviewed", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ListModels_ByDatasetName_ReturnsModel()
    {
        var trained = server.BaseTraining.Result.Train;

        var models = await server.Models.ListModelsAsync(new ListModelsRequest { Dataset = "adult" });
        var versions = await server.Models.ListVersionsAsync(new ListVersionsRequest { ModelId = trained.ModelId });

        var model = Assert.Single(models.Models, m => m.Id == trained.ModelId);
        Assert.Equal("adult-mlp", model.Name);
        Assert.Equal(2, model.Settings.Epochs);
        Assert.Equal(server.Adult.Id, model.DatasetId);
        Assert.Contains(versions.Versions, v => v.Id == trained.VersionId);
        Assert.All(versions.Versions, v => Assert.Equal(trained.ModelId, v.ModelId));
    }

    [Fact]
    public async Task EvaluateFairness_UnknownSplit_NamesSplitField()
    {
        var request = new EvaluateFairnessRequest { VersionId = server.BaseTraining.Result.Train.VersionId, Split = "holdout" };

        var error = await RpcAssert.FailsAsync(() => server.Models.EvaluateFairnessAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["split"], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task EvaluateFairness_ValidationSplit_CountsValidationRows()
    {
        var request = new EvaluateFairnessRequest { VersionId = server.BaseTraining.Result.Train.VersionId, Split = "validation" };

        var report = await server.Models.EvaluateFairnessAsync(request);

        Assert.Equal("validation", report.Split);
        Assert.Equal(server.Adult.ValidationRows, report.Count);
    }
}

public sealed class JobServiceSqliteTests(JobServerFixture server, ITestOutputHelper output) : JobServiceTests(server, output), IClassFixture<JobServerFixture>;

public sealed class JobServicePostgresTests(PostgresJobServerFixture server, ITestOutputHelper output) : JobServiceTests(server, output), IClassFixture<PostgresJobServerFixture>;
