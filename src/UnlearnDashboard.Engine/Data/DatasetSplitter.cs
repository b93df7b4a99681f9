namespace UnlearnDashboard.Engine.Data;

/// <summary>Record positions of the train, validation and test splits, each sorted ascending.</summary>
internal sealed record SplitAssignment(int[] Train, int[] Validation, int[] Test);

/// <summary>
/// Splits rows at random, stratified by (label, group), so that every split keeps each stratum's share.
/// </summary>
internal static class DatasetSplitter
{
    /// <summary>
    /// Assigns each record to train, validation or test. Strata are taken in order of label (0, then 1) and
    /// group (ordinal), and one <see cref="Random"/> seeded with <paramref name="seed"/> shuffles each
    /// stratum in turn (Fisher-Yates over its records in ascending order), so a seed gives the same split on
    /// every run.
    /// In a stratum of n rows the first round(n * testFraction) shuffled rows go to test, the next
    /// round(n * validationFraction) to validation and the rest to train, where round takes midpoints away
    /// from zero (n = 25 at 0.1 gives 3). Rounding per stratum means a split's total can differ from
    /// round(total * fraction) by up to half the number of strata.
    /// </summary>
    /// <param name="records">Record positions, ascending.</param>
    /// <param name="favourable">Label of each record, aligned with <paramref name="records"/>.</param>
    /// <param name="groups">Sensitive group of each record, aligned with <paramref name="records"/>.</param>
    public static SplitAssignment Split(
        IReadOnlyList<int> records,
        IReadOnlyList<bool> favourable,
        IReadOnlyList<string> groups,
        double validationFraction,
        double testFraction,
        int seed)
    {
        var strata = new SortedDictionary<(bool Favourable, string Group), List<int>>(StratumComparer.Instance);
        for (int i = 0; i < records.Count; i++)
        {
            var key = (favourable[i], groups[i]);
            if (!strata.TryGetValue(key, out var members))
                strata[key] = members = [];
            members.Add(records[i]);
        }

        // NOTE: .NET keeps the legacy algorithm for a seeded Random, but its documentation does not promise the
        // same sequence across major versions. A test pins the rows that seed 0 puts in validation.
        var random = new Random(seed);
        var train = new List<int>();
        var validation = new List<int>();
        var test = new List<int>();
        foreach (var members in strata.Values)
        {
            Shuffle(members, random);

            int testCount = Math.Min(Share(members.Count, testFraction), members.Count);
            int validationCount = Math.Min(Share(members.Count, validationFraction), members.Count - testCount);
            test.AddRange(members.Take(testCount));
            validation.AddRange(members.Skip(testCount).Take(validationCount));
            train.AddRange(members.Skip(testCount + validationCount));
        }

        return new SplitAssignment(Sorted(train), Sorted(validation), Sorted(test));
    }

    private static int Share(int count, double fraction) =>
        (int)Math.Round(count * fraction, MidpointRounding.AwayFromZero);

    private static void Shuffle(List<int> items, Random random)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static int[] Sorted(List<int> items)
    {
        var array = items.ToArray();
        Array.Sort(array);
        return array;
    }

    private sealed class StratumComparer : IComparer<(bool Favourable, string Group)>
    {
        public static readonly StratumComparer Instance = new();

        public int Compare((bool Favourable, string Group) x, (bool Favourable, string Group) y)
        {
            int byLabel = x.Favourable.CompareTo(y.Favourable);
            return byLabel != 0 ? byLabel : string.CompareOrdinal(x.Group, y.Group);
        }
    }
}
