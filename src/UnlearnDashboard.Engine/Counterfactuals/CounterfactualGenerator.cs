using UnlearnDashboard.Engine.Data;

namespace UnlearnDashboard.Engine.Counterfactuals;

/// <summary>Builds counterfactual sets by applying a spec's value maps to sampled rows.</summary>
public static class CounterfactualGenerator
{
    /// <summary>
    /// Draws up to <see cref="CounterfactualSpec.MaxRows"/> rows of the training split (stratified by group
    /// and label, seeded) and returns them with their counterfactuals. Map keys and values are checked
    /// against the training split's levels.
    /// </summary>
    public static CounterfactualSet FromTraining(CounterfactualSpec spec, PreparedDataset data, CancellationToken cancellationToken) =>
        Generate(spec, data.Train, data.Train, cancellationToken);

    /// <summary>
    /// Draws up to <see cref="CounterfactualSpec.MaxRows"/> of <paramref name="rows"/> (stratified by group
    /// and label, seeded) and returns them with their counterfactuals. Map keys and values must be levels of
    /// their column in <paramref name="rows"/> or, when given, in <paramref name="levelSource"/> (for
    /// external rows, usually the training split).
    /// </summary>
    public static CounterfactualSet Generate(CounterfactualSpec spec, TabularSplit rows, TabularSplit? levelSource, CancellationToken cancellationToken)
    {
        Validate(spec, rows, levelSource);
        cancellationToken.ThrowIfCancellationRequested();
        int[] sample = StratifiedSample(rows, spec.MaxRows, spec.Seed);
        var original = rows.Select(sample);
        var counterfactual = Apply(spec, original);
        return new CounterfactualSet(spec.SensitiveColumn, spec.AllMaps.Select(m => m.Column).ToList(), original, counterfactual);
    }

    /// <summary>
    /// Returns <paramref name="rows"/> with every map of the spec applied, in the same order and with the
    /// same row ids and labels; the groups become the mapped sensitive values. Does not validate.
    /// </summary>
    public static TabularSplit Apply(CounterfactualSpec spec, TabularSplit rows) => throw new NotImplementedException();

    /// <summary>Throws <see cref="EngineException"/> naming the field and value at fault; see <see cref="CounterfactualSpec.Validate"/>.</summary>
    public static void Validate(CounterfactualSpec spec, TabularSplit rows, TabularSplit? levelSource = null) =>
        throw new NotImplementedException();

    /// <summary>
    /// Returns row positions: all rows when there are at most <paramref name="maxRows"/>, otherwise a seeded
    /// sample that keeps each (group, label) stratum's share, in ascending position order.
    /// </summary>
    internal static int[] StratifiedSample(TabularSplit rows, int maxRows, int seed) => throw new NotImplementedException();
}
