namespace UnlearnDashboard.Engine.Models;

public enum Architecture
{
    Mlp,
    LogisticRegression,
}

/// <summary>
/// Architecture and training settings. Defaults: MLP with hidden layers [64, 32] and ReLU, Adam with
/// learning rate 1e-3, batch 256, 10 epochs, seed 0, the sensitive attribute among the inputs.
/// </summary>
public sealed record ModelSettings
{
    public Architecture Architecture { get; init; } = Architecture.Mlp;

    public IReadOnlyList<int> Hidden { get; init; } = [64, 32];

    /// <summary>Most hidden layers a model may have, which bounds the time and memory of one training run.</summary>
    public const int MaxHiddenLayers = 16;

    public int Epochs { get; init; } = 10;

    public int BatchSize { get; init; } = 256;

    public double LearningRate { get; init; } = 1e-3;

    public int Seed { get; init; }

    public bool ExcludeSensitiveFeature { get; init; }

    /// <summary>Widths of the hidden layers that this architecture actually has.</summary>
    public IReadOnlyList<int> EffectiveHidden => Architecture == Architecture.Mlp ? Hidden : [];

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (Epochs is < 1 or > 1000)
            throw EngineException.Invalid("epochs", $"epochs must be in [1, 1000]; got {Epochs}.", Epochs.ToString());
        if (BatchSize is < 1 or > 1_000_000)
            throw EngineException.Invalid("batch_size", $"batch_size must be in [1, 1000000]; got {BatchSize}.", BatchSize.ToString());
        if (!(LearningRate > 0 && LearningRate <= 10))
            throw EngineException.Invalid("learning_rate", $"learning_rate must be in (0, 10]; got {LearningRate}.", LearningRate.ToString("R"));
        if (EffectiveHidden.Count > MaxHiddenLayers)
        {
            throw EngineException.Invalid("hidden",
                $"hidden names {EffectiveHidden.Count} hidden layers; at most {MaxHiddenLayers} are allowed.", EffectiveHidden.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (EffectiveHidden.Any(width => width is < 1 or > 4096))
            throw EngineException.Invalid("hidden", $"hidden layer widths must be in [1, 4096]; got [{string.Join(", ", Hidden)}].");
    }
}
