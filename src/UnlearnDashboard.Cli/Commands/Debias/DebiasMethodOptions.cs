using System.CommandLine;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Debias;

/// <summary>
/// The options of <c>unlearn debias</c> that choose and tune the unlearning method. Every one is optional,
/// and an option left out leaves its request field unset, so the server's default applies.
/// </summary>
internal sealed class DebiasMethodOptions
{
    public static readonly IReadOnlyDictionary<string, DebiasMethod> Methods = new Dictionary<string, DebiasMethod>
    {
        ["influence-newton"] = DebiasMethod.InfluenceNewton,
        ["counterfactual-replacement"] = DebiasMethod.CounterfactualReplacement,
        ["gradient-ascent"] = DebiasMethod.GradientAscent,
        ["saliency-masked"] = DebiasMethod.SaliencyMasked,
        ["counterfactual-fine-tune"] = DebiasMethod.CounterfactualFineTune,
        ["data-free"] = DebiasMethod.DataFree,
    };

    public static readonly IReadOnlyDictionary<string, BiasObjective> Objectives = new Dictionary<string, BiasObjective>
    {
        ["demographic-parity"] = BiasObjective.DemographicParity,
        ["equalized-odds"] = BiasObjective.EqualizedOdds,
        ["fpr-gap"] = BiasObjective.FalsePositiveRate,
        ["counterfactual-gap"] = BiasObjective.CounterfactualGap,
    };

    public static readonly IReadOnlyDictionary<string, InfluenceSolver> Solvers = new Dictionary<string, InfluenceSolver>
    {
        ["cg"] = InfluenceSolver.ConjugateGradient,
        ["lissa"] = InfluenceSolver.Lissa,
    };

    public static readonly IReadOnlyDictionary<string, Protos.V1.Curvature> Curvatures = new Dictionary<string, Protos.V1.Curvature>
    {
        ["hessian"] = Protos.V1.Curvature.Hessian,
        ["gauss-newton"] = Protos.V1.Curvature.GaussNewton,
    };

    public static readonly IReadOnlyDictionary<string, Protos.V1.Saliency> Saliencies = new Dictionary<string, Protos.V1.Saliency>
    {
        ["gradient"] = Protos.V1.Saliency.Gradient,
        ["gradient-times-weight"] = Protos.V1.Saliency.GradientTimesWeight,
    };

    public Option<string?> Method { get; } = Choice("--method", Methods.Keys,
        "Unlearning method (default: the server's, counterfactual-replacement).", "METHOD");

    public Option<string?> Objective { get; } = Choice("--objective", Objectives.Keys,
        "Bias objective that the ranking and the update reduce, for ranking methods only (default: demographic-parity).", "OBJECTIVE");

    public Option<string?> Solver { get; } = Choice("--solver", Solvers.Keys,
        "Solver of the influence system: conjugate gradients or LiSSA (default: cg).", "SOLVER");

    public Option<string?> Curvature { get; } = Choice("--curvature", Curvatures.Keys,
        "Curvature of the influence solve (default: the exact Hessian for the output layer alone, Gauss-Newton otherwise).", "KIND");

    public Option<string?> Saliency { get; } = Choice("--saliency", Saliencies.Keys,
        "Saliency that ranks the weights of saliency-masked (default: gradient).", "KIND");

    public Option<int?> NewtonSteps { get; } = new("--newton-steps")
    {
        Description = "Newton steps of influence-newton's update, in [1, 50] (default: 1).",
        HelpName = "N",
        CustomParser = NumberParsers.NullableInt32("--newton-steps", "in [1, 50]", value => value is >= 1 and <= 50),
    };

    public Option<double?> SaliencyFraction { get; } = new("--saliency-fraction")
    {
        Description = "Share of the chosen layers' weights that saliency-masked may change, in (0, 1] (default: 0.1).",
        HelpName = "FRACTION",
        CustomParser = NumberParsers.NullableDouble("--saliency-fraction", "in (0, 1]", value => value is > 0 and <= 1),
    };

    public Option<int?> Steps { get; } = new("--steps")
    {
        Description = "Optimiser steps of gradient-ascent, counterfactual-fine-tune and data-free, in [1, 10000] (default: 200).",
        HelpName = "N",
        CustomParser = NumberParsers.NullableInt32("--steps", "in [1, 10000]", value => value is >= 1 and <= 10_000),
    };

    public Option<double?> LearningRate { get; } = new("--lr")
    {
        Description = "Adam learning rate of the same three methods as --steps, in (0, 1] (default: 0.001).",
        HelpName = "RATE",
        CustomParser = NumberParsers.NullableDouble("--lr", "in (0, 1]", value => value is > 0 and <= 1),
    };

    public Option<double?> Mu { get; } = new("--mu")
    {
        Description = "Weight of the counterfactual gap in counterfactual-fine-tune and data-free, in [0, 100] (default: 1).",
        HelpName = "WEIGHT",
        CustomParser = NumberParsers.NullableDouble("--mu", "in [0, 100]", value => value is >= 0 and <= 100),
    };

    public Option<double?> RetainWeight { get; } = new("--retain-weight")
    {
        Description = "Weight w of gradient-ascent's loss w L(retained) - (1 - w) L(harmful), in [0, 1] (default: 0.9).",
        HelpName = "WEIGHT",
        CustomParser = NumberParsers.NullableDouble("--retain-weight", "in [0, 1]", value => value is >= 0 and <= 1),
    };

    public Option<int?> Seed { get; } = new("--seed")
    {
        Description = "Seed of mini-batch sampling in gradient ascent, fine-tuning, data-free and the LiSSA solver (not conjugate gradients), in [0, 2147483647] (default: 0).",
        HelpName = "N",
        CustomParser = NumberParsers.NullableInt32("--seed", "in [0, 2147483647]", value => value >= 0),
    };

    public static readonly IReadOnlyList<string> EvidenceParts = ["retrain", "reweighing", "thresholds", "random-control", "seed-band", "membership"];

    public Option<string[]> Evidence { get; } = CreateEvidenceOption();

    public Option<string?> CounterfactualSet { get; } = new("--counterfactual-set")
    {
        Description = "Id of an approved counterfactual set (default: the dataset's most recently approved set, when the method uses one).",
        HelpName = "SET_ID",
        Validators = { TextValidators.NotBlank("--counterfactual-set", "a counterfactual set id") },
    };

    public IEnumerable<Option> All =>
    [
        Method, Objective, Solver, Curvature, Saliency, NewtonSteps, SaliencyFraction, Steps, LearningRate, Mu,
        RetainWeight, Seed, Evidence, CounterfactualSet,
    ];

    /// <summary>Copies the options that were given into the request.</summary>
    public void Apply(ParseResult parseResult, DebiasRequest request)
    {
        if (parseResult.GetValue(Method) is { } method)
            request.Method = Methods[method];
        if (parseResult.GetValue(Objective) is { } objective)
            request.Objective = Objectives[objective];
        if (parseResult.GetValue(Solver) is { } solver)
            request.Solver = Solvers[solver];
        if (parseResult.GetValue(Curvature) is { } curvature)
            request.Curvature = Curvatures[curvature];
        if (parseResult.GetValue(Saliency) is { } saliency)
            request.Saliency = Saliencies[saliency];
        if (parseResult.GetValue(NewtonSteps) is { } newtonSteps)
            request.NewtonSteps = newtonSteps;
        if (parseResult.GetValue(SaliencyFraction) is { } saliencyFraction)
            request.SaliencyFraction = saliencyFraction;
        if (parseResult.GetValue(Steps) is { } steps)
            request.Steps = steps;
        if (parseResult.GetValue(LearningRate) is { } learningRate)
            request.LearningRate = learningRate;
        if (parseResult.GetValue(Mu) is { } mu)
            request.CounterfactualWeight = mu;
        if (parseResult.GetValue(RetainWeight) is { } retainWeight)
            request.RetainWeight = retainWeight;
        if (parseResult.GetValue(Seed) is { } seed)
            request.Seed = (uint)seed;
        request.CounterfactualSetId = parseResult.GetValue(CounterfactualSet) ?? "";

        var parts = DebiasCommand.SplitList(parseResult.GetValue(Evidence)).ToHashSet();
        if (parts.Count > 0)
        {
            request.Evidence = new EvidenceRequest
            {
                Retrain = parts.Contains("retrain"),
                Reweighing = parts.Contains("reweighing"),
                GroupThresholds = parts.Contains("thresholds"),
                RandomControl = parts.Contains("random-control"),
                SeedBand = parts.Contains("seed-band"),
                MembershipInference = parts.Contains("membership"),
            };
        }
    }

    private static Option<string[]> CreateEvidenceOption()
    {
        var option = new Option<string[]>("--evidence")
        {
            Description = "Evidence parts to compute, comma-separated, instead of the server's default (thresholds, random-control, membership). " +
                          $"One or more of: {string.Join(", ", EvidenceParts)}. retrain, reweighing and seed-band each cost one training or more.",
            HelpName = "PART,...",
        };
        option.Validators.Add(result =>
        {
            var seen = new HashSet<string>();
            foreach (string value in result.GetValueOrDefault<string[]>() ?? [])
            {
                foreach (string part in value.Split(',', StringSplitOptions.TrimEntries))
                {
                    if (part.Length == 0)
                    {
                        result.AddError($"Invalid value '{value}' for option '--evidence': it contains an empty part. "
                            + "Separate the parts with single commas, for example thresholds,membership.");
                    }
                    else if (!EvidenceParts.Contains(part))
                    {
                        result.AddError($"Invalid value '{part}' for option '--evidence': expected one or more of {string.Join(", ", EvidenceParts)}.");
                    }
                    else if (!seen.Add(part))
                    {
                        result.AddError($"Invalid value '{value}' for option '--evidence': it names '{part}' more than once; name each part once.");
                    }
                }
            }
        });
        return option;
    }

    private static Option<string?> Choice(string name, IEnumerable<string> values, string description, string helpName)
    {
        string[] choices = [.. values];
        var option = new Option<string?>(name) { Description = $"{description} One of: {string.Join(", ", choices)}.", HelpName = helpName };
        option.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string?>();
            if (value is not null && !choices.Contains(value))
                result.AddError($"Invalid value '{value}' for option '{name}': expected one of {string.Join(", ", choices)}.");
        });
        return option;
    }
}
