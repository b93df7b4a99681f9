namespace UnlearnDashboard.Engine.Pipeline;

/// <summary>Settings of a bias-removal run.</summary>
public sealed record DebiasOptions
{
    /// <summary>Fraction of training samples to remove, in (0, 0.5].</summary>
    public double RemoveFraction { get; init; } = 0.05;

    /// <summary>Linear layers to change, for example ["fc3"]; empty means the last layer.</summary>
    public IReadOnlyList<string> Layers { get; init; } = [];

    /// <summary>Damping lambda added to the Hessian's diagonal.</summary>
    public double Damping { get; init; } = 0.01;

    /// <summary>Also retrain from scratch without the removed samples, for comparison.</summary>
    public bool CompareRetrain { get; init; }

    /// <summary>Throws naming the first option out of range.</summary>
    public void Validate()
    {
        if (!(RemoveFraction > 0 && RemoveFraction <= 0.5))
        {
            throw EngineException.Invalid("remove_fraction",
                $"remove_fraction must be in (0, 0.5]; got {RemoveFraction:R}.", RemoveFraction.ToString("R"));
        }

        if (!(Damping >= 0 && double.IsFinite(Damping)))
            throw EngineException.Invalid("damping", $"damping must be a finite number >= 0; got {Damping:R}.", Damping.ToString("R"));
    }
}
