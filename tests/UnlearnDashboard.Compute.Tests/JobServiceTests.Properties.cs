using CsCheck;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using UnlearnDashboard.Compute.Jobs;
using UnlearnDashboard.Compute.Services;
using UnlearnDashboard.Engine;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>
/// Property tests of debias request validation with CsCheck, on requests that mix valid values with NaN,
/// infinities, negative and out-of-range numbers, unknown enum values, ids and layer names.
/// </summary>
public abstract partial class JobServiceTests
{
    private static readonly Gen<double> Real = Gen.OneOf(
        Gen.OneOf(double.NaN, double.PositiveInfinity, double.NegativeInfinity, -1.0, -0.0, 0.0, 1e-12, 0.01, 0.1, 0.5,
            0.5000001, 1.0, 1.0000001, 2.0, 1e300),
        Gen.Double[-2, 2]);

    private static readonly Gen<int> Whole = Gen.OneOf(
        Gen.OneOf(int.MinValue, -1, 0, 1, 2, 50, 51, 1000, 1001, 10_000, 10_001, 1_000_000, 1_000_001, int.MaxValue),
        Gen.Int[-5, 100]);

    private static readonly Gen<string> Id = Gen.OneOf(Gen.Const(""), Gen.String[Gen.Char["abc-0123456789"], 1, 40]);

    private static readonly Gen<DebiasRequest> Requests =
        from dataset in Gen.Frequency((8, Gen.Const("adult")), (1, Id))
        from version in Gen.Frequency((8, Gen.Const("")), (1, Id))
        from sensitive in Gen.OneOf("", "", "sex", "race", "Sex")
        from method in Gen.Int[-1, 9].Nullable(0.7)
        from removeFraction in Real.Nullable(0.7)
        from layers in Gen.Frequency((4, Gen.Const(Array.Empty<string>())), (1, Gen.OneOf("fc1", "fc2", "fc3", "auto", "fc9", "", "FC1").Array[1, 3]))
        from damping in Real.Nullable(0.9)
        from newtonSteps in Whole.Nullable(0.95)
        from objective in Gen.Frequency((6, Gen.Const(0)), (1, Gen.Int[0, 6]))
        from solver in Gen.Frequency((6, Gen.Const(0)), (1, Gen.Int[0, 4]))
        from curvature in Gen.Frequency((6, Gen.Const(0)), (1, Gen.Int[0, 4]))
        from saliency in Gen.Frequency((6, Gen.Const(0)), (1, Gen.Int[0, 4]))
        from saliencyFraction in Real.Nullable(0.95)
        from steps in Whole.Nullable(0.95)
        from learningRate in Real.Nullable(0.95)
        from batchSize in Whole.Nullable(0.95)
        from weights in Gen.Select(Real.Nullable(0.95), Real.Nullable(0.95), Real.Nullable(0.95))
        from seed in Gen.OneOf(0u, 1u, (uint)int.MaxValue, (uint)int.MaxValue + 1, uint.MaxValue).Nullable(0.7)
        from explainCount in Whole.Nullable(0.95)
        from deadline in Real.Nullable(0.95)
        from counterfactualSet in Gen.Frequency((6, Gen.Const("")), (1, Id))
        select Request(dataset, version, sensitive, method, removeFraction, layers, damping, newtonSteps, objective, solver,
            curvature, saliency, saliencyFraction, steps, learningRate, batchSize, weights, seed, explainCount, deadline,
            counterfactualSet);

    [Fact]
    public async Task SubmitDebias_RandomRequests_ValidatedWithoutStoring()
    {
        var validator = server.Services.GetRequiredService<JobRequestValidator>();
        var fieldNames = DebiasRequest.Descriptor.Fields.InDeclarationOrder().Select(f => f.Name).ToHashSet();
        int jobsBefore = (await Jobs.ListJobsAsync(new ListJobsRequest())).Jobs.Count;
        int accepted = 0, rejected = 0;

        await Requests.SampleAsync(async request =>
        {
            RpcException? expected = null;
            try
            {
                await validator.ValidateAsync(request, CancellationToken.None);
            }
            catch (EngineException error)
            {
                expected = RpcErrors.FromEngine(error);
            }
            catch (RpcException error)
            {
                expected = error;
            }

            if (expected is null)
            {
                Interlocked.Increment(ref accepted);
                AssertInDocumentedRanges(request);
                return;
            }

            Interlocked.Increment(ref rejected);
            Assert.Contains(expected.StatusCode, new[] { StatusCode.InvalidArgument, StatusCode.NotFound, StatusCode.FailedPrecondition });
            var fields = RpcAssert.ViolatedFields(expected);
            if (expected.StatusCode != StatusCode.NotFound)
                Assert.All(fields, field => Assert.Contains(field.Split('.')[0], fieldNames.Append("counterfactual_set")));

            // The gRPC call fails with the same status and fields, and stores no job.
            var answer = await RpcAssert.FailsAsync(() => Jobs.SubmitDebiasAsync(request).ResponseAsync);
            Assert.Equal(expected.StatusCode, answer.StatusCode);
            Assert.Equal(fields, RpcAssert.ViolatedFields(answer));
        }, iter: 400, threads: 1);

        output.WriteLine($"{accepted} requests valid, {rejected} rejected");
        Assert.Equal(jobsBefore, (await Jobs.ListJobsAsync(new ListJobsRequest())).Jobs.Count);
        Assert.True(accepted > 0, "The generator made no valid request.");
        Assert.True(rejected > 0, "The generator made no invalid request.");
    }

    /// <summary>The ranges jobs.proto documents for each field of a request the validator accepted.</summary>
    private static void AssertInDocumentedRanges(DebiasRequest request)
    {
        Assert.Equal("adult", request.Dataset);
        Assert.Contains(request.SensitiveAttribute, new[] { "", "sex" });
        Assert.True(!request.HasRemoveFraction || request.RemoveFraction is > 0 and <= 0.5, $"remove_fraction {request.RemoveFraction}");
        Assert.True(!request.HasDamping || request.Damping is >= 0 and <= 1e4, $"damping {request.Damping}");
        Assert.True(!request.HasNewtonSteps || request.NewtonSteps is >= 1 and <= 50, $"newton_steps {request.NewtonSteps}");
        Assert.True(!request.HasSteps || request.Steps is >= 1 and <= 10_000, $"steps {request.Steps}");
        Assert.True(!request.HasLearningRate || request.LearningRate is > 0 and <= 1, $"learning_rate {request.LearningRate}");
        Assert.True(!request.HasBatchSize || request.BatchSize is >= 1 and <= 1_000_000, $"batch_size {request.BatchSize}");
        Assert.True(!request.HasSaliencyFraction || request.SaliencyFraction is > 0 and <= 1, $"saliency_fraction {request.SaliencyFraction}");
        Assert.True(!request.HasCounterfactualWeight || request.CounterfactualWeight is >= 0 and <= 100, $"counterfactual_weight {request.CounterfactualWeight}");
        Assert.True(!request.HasDistillationWeight || request.DistillationWeight is >= 0 and <= 100, $"distillation_weight {request.DistillationWeight}");
        Assert.True(!request.HasRetainWeight || request.RetainWeight is >= 0 and <= 1, $"retain_weight {request.RetainWeight}");
        Assert.True(!request.HasSeed || request.Seed <= int.MaxValue, $"seed {request.Seed}");
        Assert.True(!request.HasExplainCount || request.ExplainCount is >= 0 and <= 1000, $"explain_count {request.ExplainCount}");
        Assert.True(!request.HasDeadlineSeconds || (request.DeadlineSeconds > 0 && double.IsFinite(request.DeadlineSeconds)),
            $"deadline_seconds {request.DeadlineSeconds}");
        Assert.True(!request.HasMethod || Enum.IsDefined(request.Method), $"method {(int)request.Method}");
        Assert.True(Enum.IsDefined(request.Objective), $"objective {(int)request.Objective}");
        Assert.True(Enum.IsDefined(request.Solver), $"solver {(int)request.Solver}");
        Assert.True(Enum.IsDefined(request.Curvature), $"curvature {(int)request.Curvature}");
        Assert.True(Enum.IsDefined(request.Saliency), $"saliency {(int)request.Saliency}");
        AssertReadByMethod(request);
        Assert.True(request.Layers.Count == 0 || request.Layers.SequenceEqual(["auto"]) || request.Layers.All(l => l is "fc1" or "fc2" or "fc3"),
            $"layers [{string.Join(", ", request.Layers)}]");
    }

    /// <summary>The method rules of jobs.proto: a field that only some methods read is set only for those.</summary>
    private static void AssertReadByMethod(DebiasRequest request)
    {
        var method = request.HasMethod ? request.Method : DebiasMethod.CounterfactualReplacement;
        bool optimiser = method is DebiasMethod.GradientAscent or DebiasMethod.CounterfactualFineTune or DebiasMethod.DataFree;
        Assert.True(optimiser || !(request.HasSteps || request.HasLearningRate || request.HasBatchSize), $"optimiser field with {method}");
        Assert.True(method is DebiasMethod.CounterfactualFineTune or DebiasMethod.DataFree || !request.HasCounterfactualWeight, $"counterfactual_weight with {method}");
        Assert.True(method == DebiasMethod.DataFree || !request.HasDistillationWeight, $"distillation_weight with {method}");
        Assert.True(method == DebiasMethod.GradientAscent || !request.HasRetainWeight, $"retain_weight with {method}");
        Assert.True(method == DebiasMethod.SaliencyMasked || !(request.HasSaliencyFraction || request.Saliency != Saliency.Unspecified), $"saliency field with {method}");
        Assert.True(method == DebiasMethod.InfluenceNewton || !request.HasNewtonSteps, $"newton_steps with {method}");
        bool ranks = method is not (DebiasMethod.CounterfactualFineTune or DebiasMethod.DataFree);
        Assert.True(ranks || !(request.HasRemoveFraction || request.HasDamping || request.Solver != InfluenceSolver.Unspecified
                || request.Curvature != Curvature.Unspecified || request.Objective != BiasObjective.Unspecified || request.CompareRetrain),
            $"ranking field with {method}");
        Assert.True(optimiser || request.Solver == InfluenceSolver.Lissa || !request.HasSeed, $"seed with {method} and {request.Solver}");
    }

    private static DebiasRequest Request(
        string dataset, string version, string sensitive, int? method, double? removeFraction, string[] layers, double? damping,
        int? newtonSteps, int objective, int solver, int curvature, int saliency, double? saliencyFraction, int? steps,
        double? learningRate, int? batchSize, (double? Counterfactual, double? Distillation, double? Retain) weights, uint? seed,
        int? explainCount, double? deadline, string counterfactualSet)
    {
        var request = new DebiasRequest
        {
            Dataset = dataset,
            ModelVersionId = version,
            SensitiveAttribute = sensitive,
            Layers = { layers },
            Objective = (BiasObjective)objective,
            Solver = (InfluenceSolver)solver,
            Curvature = (Curvature)curvature,
            Saliency = (Saliency)saliency,
            CounterfactualSetId = counterfactualSet,
        };
        if (method is { } m) request.Method = (DebiasMethod)m;
        if (removeFraction is { } f) request.RemoveFraction = f;
        if (damping is { } d) request.Damping = d;
        if (newtonSteps is { } n) request.NewtonSteps = n;
        if (saliencyFraction is { } s) request.SaliencyFraction = s;
        if (steps is { } st) request.Steps = st;
        if (learningRate is { } lr) request.LearningRate = lr;
        if (batchSize is { } b) request.BatchSize = b;
        if (weights.Counterfactual is { } cw) request.CounterfactualWeight = cw;
        if (weights.Distillation is { } dw) request.DistillationWeight = dw;
        if (weights.Retain is { } rw) request.RetainWeight = rw;
        if (seed is { } sd) request.Seed = sd;
        if (explainCount is { } e) request.ExplainCount = e;
        if (deadline is { } dl) request.DeadlineSeconds = dl;
        return request;
    }
}
