namespace UnlearnDashboard.Engine.Evidence;

/// <summary>
/// Which parts of a run's evidence to compute. The defaults run the parts that cost no training: the
/// per-group thresholds, the random-removal control, membership inference against the base and updated
/// models, and the levelling-down check (always on). Costs below are in units of one training of the model.
/// </summary>
public sealed record EvidenceOptions
{
    /// <summary>Retrain from scratch without the removed samples (1 training plus a short warm-up); default off.</summary>
    public bool Retrain { get; init; }

    /// <summary>Kamiran-Calders reweighed retrain on the full training split (1 training); default off.</summary>
    public bool Reweighing { get; init; }

    /// <summary>Per-group decision thresholds chosen on the validation split (forward passes only); default on.</summary>
    public bool GroupThresholds { get; init; } = true;

    /// <summary>
    /// The same update applied to <see cref="RandomDraws"/> random removal sets of the same size (that many
    /// updates, no training); default on.
    /// </summary>
    public bool RandomControl { get; init; } = true;

    /// <summary>Number of random removal sets of the control; default 5.</summary>
    public int RandomDraws { get; init; } = 5;

    /// <summary>
    /// Retrain the base model with <see cref="SeedBandSeeds"/> other seeds (that many trainings, cached per
    /// model and dataset in memory); default off.
    /// </summary>
    public bool SeedBand { get; init; }

    /// <summary>Number of other seeds in the seed-noise band; default 5.</summary>
    public int SeedBandSeeds { get; init; } = 5;

    /// <summary>
    /// Loss-based membership inference on the removed samples (forward passes only; against the retrained model
    /// only when <see cref="Retrain"/> is on); default on.
    /// </summary>
    public bool MembershipInference { get; init; } = true;

    /// <summary>Seed of the random removal sets and of the non-member sample.</summary>
    public int Seed { get; init; }

    /// <summary>Throws naming the first option out of range.</summary>
    public void Validate()
    {
        if (RandomDraws is < 1 or > 100)
            throw EngineException.Invalid("evidence.random_draws", $"random_draws must be in [1, 100]; got {RandomDraws}.", RandomDraws.ToString());
        if (SeedBandSeeds is < 2 or > 100)
            throw EngineException.Invalid("evidence.seed_band_seeds", $"seed_band_seeds must be in [2, 100]; got {SeedBandSeeds}.", SeedBandSeeds.ToString());
    }
}
