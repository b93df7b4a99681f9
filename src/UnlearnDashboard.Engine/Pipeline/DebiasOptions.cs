namespace UnlearnDashboard.Engine.Pipeline;

/// <summary>Settings of a bias-removal run.</summary>
public sealed record DebiasOptions
{
    /// <summary>Fraction of training samples to remove, in (0, 0.5].</summary>
    public double RemoveFraction { get; init; } = 0.05;

    /// <summary>Linear layers to change, for example ["fc3"]; empty means the last layer.</summary>
    public IReadOnlyList<string> Layers { get; init; } = [];

    /// <summary>
    /// Damping lambda added to the Hessian's diagonal. The default, 1e-3, keeps the output layer's Hessian
    /// (singular wherever a ReLU unit is dead or one-hot columns add up to the bias) well conditioned while
    /// barely shrinking the update along directions the data determines.
    /// </summary>
    public double Damping { get; init; } = 1e-3;

    /// <summary>
    /// Newton steps of the update. 1 is the classic influence-function update
    /// theta + (1/n) (H + lambda I)^-1 sum over R of grad L(z), which assumes that theta minimises the training
    /// loss. More steps minimise the mean loss over the retained samples plus lambda/2 ||theta - theta0||^2 over
    /// the chosen layers by damped Newton iterations from theta0, stopping early once a step is negligible; this
    /// stays exact when training stopped short of a minimum.
    /// </summary>
    public int NewtonSteps { get; init; } = DefaultNewtonSteps;

    public const int DefaultNewtonSteps = 1;

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

        if (NewtonSteps is < 1 or > 50)
            throw EngineException.Invalid("newton_steps", $"newton_steps must be in [1, 50]; got {NewtonSteps}.", NewtonSteps.ToString());

        if (!(Damping >= 0 && double.IsFinite(Damping)))
            throw EngineException.Invalid("damping", $"damping must be a finite number >= 0; got {Damping:R}.", Damping.ToString("R"));
    }
}
