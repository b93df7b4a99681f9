using UnlearnDashboard.Engine.Fairness;

namespace UnlearnDashboard.Engine.Tests.Fairness;

public sealed class RankStatisticsTests
{
    [Fact]
    public void MannWhitneyAuc_WithTies_MatchesPairCount()
    {
        // Pairs (positive, negative): 0.9 beats 0.5 and 0.1 (2); each 0.5 ties 0.5 (0.5) and beats 0.1 (1).
        // Total 2 + 1.5 + 1.5 = 5 of 6 pairs.
        double[] positives = [0.9, 0.5, 0.5];
        double[] negatives = [0.5, 0.1];

        double? auc = RankStatistics.MannWhitneyAuc(positives, negatives);

        Assert.Equal(5.0 / 6, auc!.Value, 1e-12);
    }

    [Fact]
    public void MannWhitneyAuc_AllTied_IsOneHalf()
    {
        double? auc = RankStatistics.MannWhitneyAuc([1.0, 1.0], [1.0, 1.0, 1.0]);

        Assert.Equal(0.5, auc!.Value, 1e-12);
    }

    [Fact]
    public void MannWhitneyAuc_EmptySide_IsUndefined()
    {
        Assert.Null(RankStatistics.MannWhitneyAuc([], [0.3]));
        Assert.Null(RankStatistics.MannWhitneyAuc([0.3], []));
    }

    [Fact]
    public void MannWhitneyAuc_RandomScores_MatchesBruteForce()
    {
        var random = new Random(3);
        double[] positives = Enumerable.Range(0, 200).Select(_ => Math.Round(random.NextDouble(), 1)).ToArray();
        double[] negatives = Enumerable.Range(0, 150).Select(_ => Math.Round(random.NextDouble() * 0.8, 1)).ToArray();
        double pairs = 0;
        foreach (double p in positives)
        {
            foreach (double n in negatives)
            {
                if (p > n)
                    pairs += 1;
                else if (p == n)
                    pairs += 0.5;
            }
        }

        double? auc = RankStatistics.MannWhitneyAuc(positives, negatives);

        Assert.Equal(pairs / (positives.Length * negatives.Length), auc!.Value, 1e-12);
    }
}
