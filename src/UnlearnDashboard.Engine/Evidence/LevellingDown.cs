using UnlearnDashboard.Engine.Fairness;

namespace UnlearnDashboard.Engine.Evidence;

/// <summary>Detects levelling down: a smaller gap bought mainly by lowering the favoured group's rate.</summary>
public static class LevellingDown
{
    /// <summary>The flag rule, as stated in results.</summary>
    public const string Rule =
        "For the selection rate and the TPR separately: the favoured group is the group with the highest rate " +
        "before, the lowest group the one with the lowest rate before, and the gap is the highest minus the lowest " +
        "rate. The rate is flagged when the gap fell and the favoured group's rate fell by more than the lowest " +
        "group's rose: before(favoured) - after(favoured) > after(lowest) - before(lowest), so that most of the " +
        "narrowing between the two came from the favoured group's fall. " +
        "Nothing is flagged when a rate of a group present before is undefined before or after.";

    /// <summary>Compares per-group selection rates and TPRs of two reports on the same split.</summary>
    public static LevellingDownResult Analyse(FairnessReport before, FairnessReport after) =>
        new(Rule,
            AnalyseRate("selection_rate", before, after, g => g.SelectionRate),
            AnalyseRate("true_positive_rate", before, after, g => g.TruePositiveRate));

    private static LevellingDownRate AnalyseRate(string rate, FairnessReport before, FairnessReport after, Func<GroupFairness, double?> value)
    {
        var afterByGroup = after.Groups.ToDictionary(g => g.Group, StringComparer.Ordinal);
        var changes = before.Groups
            .Select(g => new GroupRateChange(g.Group, value(g), afterByGroup.TryGetValue(g.Group, out var a) ? value(a) : null))
            .ToList();
        bool anyFell = changes.Any(c => c.Change < 0);

        if (changes.Count == 0 || changes.Any(c => c.Before is null || c.After is null))
            return new LevellingDownRate(rate, changes, null, null, null, null, null, null, false, anyFell);

        // Comparing the favoured group's fall with the lowest group's rise, rather than with the gap's reduction,
        // keeps an update that lifts the lowest group past the favoured one from being flagged for the overshoot.
        var favoured = changes.MaxBy(c => c.Before!.Value)!;
        // Another group than the favoured one, so that a tie before still compares two groups.
        var lowest = changes.Where(c => c != favoured).MinBy(c => c.Before!.Value) ?? favoured;
        double gapBefore = changes.Max(c => c.Before!.Value) - changes.Min(c => c.Before!.Value);
        double gapAfter = changes.Max(c => c.After!.Value) - changes.Min(c => c.After!.Value);
        double drop = Math.Max(0, favoured.Before!.Value - favoured.After!.Value);
        double rise = lowest.Change!.Value;
        bool levelledDown = gapAfter < gapBefore && drop > rise;
        return new LevellingDownRate(rate, changes, favoured.Group, gapBefore, gapAfter, drop, lowest.Group, rise, levelledDown, anyFell);
    }
}
