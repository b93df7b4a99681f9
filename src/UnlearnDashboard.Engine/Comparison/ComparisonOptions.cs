using UnlearnDashboard.Engine.Fairness;

namespace UnlearnDashboard.Engine.Comparison;

/// <summary>Settings of <see cref="VersionComparer.Compare"/>.</summary>
public sealed record ComparisonOptions
{
    /// <summary>Largest number of flipped rows listed as examples.</summary>
    public const int MaxFlippedExamples = 100;

    /// <summary>Split both versions are evaluated on: "train", "validation" or "test" (the default).</summary>
    public string Split { get; init; } = "test";

    /// <summary>Paired bootstrap of the deltas; 1,000 resamples with seed 0 by default.</summary>
    public BootstrapOptions Bootstrap { get; init; } = new();

    /// <summary>Flipped rows to list as examples, at most <see cref="MaxFlippedExamples"/>; default 10.</summary>
    public int FlippedExamples { get; init; } = 10;

    /// <summary>Throws naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Split is not ("train" or "validation" or "test"))
            throw EngineException.Invalid("split", $"split '{Split}' is unknown; use train, validation or test.", Split);
        if (FlippedExamples is < 0 or > MaxFlippedExamples)
        {
            throw EngineException.Invalid("flipped_examples",
                $"flipped_examples must be in [0, {MaxFlippedExamples}]; got {FlippedExamples}.", FlippedExamples.ToString());
        }

        Bootstrap.Validate();
    }
}
