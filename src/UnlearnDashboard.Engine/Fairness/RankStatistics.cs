namespace UnlearnDashboard.Engine.Fairness;

/// <summary>Rank-based statistics shared by the group AUC and the membership-inference attack.</summary>
public static class RankStatistics
{
    /// <summary>
    /// Computes the Mann-Whitney estimate of P(X &gt; Y) + P(X = Y) / 2 for X drawn from
    /// <paramref name="positives"/> and Y from <paramref name="negatives"/>, which is the area under the ROC curve
    /// when the values are scores. Ties count half, by average ranks. Returns null when either side is empty.
    /// </summary>
    public static double? MannWhitneyAuc(IReadOnlyList<double> positives, IReadOnlyList<double> negatives)
    {
        if (positives.Count == 0 || negatives.Count == 0)
            return null;

        if (positives.Any(double.IsNaN) || negatives.Any(double.IsNaN))
            throw new ArgumentException("Scores contain NaN, which has no rank.");

        int total = positives.Count + negatives.Count;
        var values = new double[total];
        var isPositive = new bool[total];
        for (int i = 0; i < positives.Count; i++)
        {
            values[i] = positives[i];
            isPositive[i] = true;
        }

        for (int i = 0; i < negatives.Count; i++)
            values[positives.Count + i] = negatives[i];

        int[] order = Enumerable.Range(0, total).ToArray();
        Array.Sort(order, (a, b) => values[a].CompareTo(values[b]));

        // Rank sum of the positives, where a run of equal values shares the mean of its 1-based ranks.
        double positiveRankSum = 0;
        int start = 0;
        while (start < total)
        {
            int end = start;
            while (end + 1 < total && values[order[end + 1]] == values[order[start]])
                end++;

            double meanRank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++)
            {
                if (isPositive[order[k]])
                    positiveRankSum += meanRank;
            }

            start = end + 1;
        }

        double n1 = positives.Count;
        double u = positiveRankSum - n1 * (n1 + 1) / 2;
        return u / (n1 * negatives.Count);
    }
}
