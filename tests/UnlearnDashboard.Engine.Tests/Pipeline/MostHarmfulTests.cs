using UnlearnDashboard.Engine.Pipeline;

namespace UnlearnDashboard.Engine.Tests.Pipeline;

public sealed class MostHarmfulTests
{
    [Fact]
    public void MostHarmful_HighestScoresFirst()
    {
        double[] scores = [0.1, 0.9, -0.5, 0.4];

        Assert.Equal([1, 3, 0], DebiasPipeline.MostHarmful(scores, [10, 11, 12, 13], 3));
    }

    [Fact]
    public void MostHarmful_Ties_OrderedByRowId()
    {
        double[] scores = [0.5, 0.7, 0.5, 0.5, 0.1];
        long[] rowIds = [40, 5, 20, 30, 1];

        Assert.Equal([1, 2, 3, 0], DebiasPipeline.MostHarmful(scores, rowIds, 4));
    }

    [Fact]
    public void MostHarmful_NaN_RanksAfterNegativeInfinity()
    {
        double[] scores = [double.NaN, double.NegativeInfinity, 0, double.PositiveInfinity];

        Assert.Equal([3, 2, 1, 0], DebiasPipeline.MostHarmful(scores, [0, 1, 2, 3], 4));
    }

    [Fact]
    public void MostHarmful_CountOfAll_ReturnsEveryRow()
    {
        double[] scores = [0.2, 0.2, 0.2];

        Assert.Equal([2, 0, 1], DebiasPipeline.MostHarmful(scores, [5, 7, 1], 3));
    }

    [Fact]
    public void MostHarmful_RandomScores_MatchesComparisonSort()
    {
        var random = new Random(3);
        double[] scores = Enumerable.Range(0, 5000).Select(_ => Math.Round(random.NextDouble(), 2)).ToArray();
        long[] rowIds = Enumerable.Range(0, 5000).Select(_ => random.NextInt64(1_000_000)).Distinct().Take(4000).ToArray();
        scores = scores[..rowIds.Length];
        int[] expected = Enumerable.Range(0, scores.Length)
            .OrderByDescending(i => scores[i])
            .ThenBy(i => rowIds[i])
            .Take(250)
            .ToArray();

        Assert.Equal(expected, DebiasPipeline.MostHarmful(scores, rowIds, 250));
    }
}
