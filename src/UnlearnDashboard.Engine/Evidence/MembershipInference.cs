using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Models;

namespace UnlearnDashboard.Engine.Evidence;

/// <summary>
/// Loss-based membership inference (Yeom et al., "Privacy risk in machine learning", 2018): the attack guesses
/// that a row with a lower loss was in the training set. Its AUC, members against non-members, is the
/// Mann-Whitney statistic of the negated losses.
/// </summary>
public static class MembershipInference
{
    /// <summary>Non-members drawn when the pool allows, even when there are fewer members.</summary>
    public const int MinimumNonMembers = 1000;

    /// <summary>
    /// Minimum number of members for which a debias run reports the attack's AUC. With fewer, the AUC moves in steps of
    /// 1 / members and says nothing about forgetting, so it is left out.
    /// </summary>
    public const int MinimumMembers = 30;

    /// <summary>Returns each row's binary cross-entropy under the model, computed in double from the float logits.</summary>
    public static double[] Losses(TrainedModel model, TabularSplit rows)
    {
        float[] logits = model.PredictLogits(rows);
        var losses = new double[logits.Length];
        for (int i = 0; i < logits.Length; i++)
        {
            double z = logits[i];
            double y = rows.Labels[i] > 0.5f ? 1 : 0;

            // max(z, 0) - z y + log(1 + exp(-|z|)) is the cross-entropy of sigmoid(z) without overflow.
            losses[i] = Math.Max(z, 0) - z * y + Math.Log(1 + Math.Exp(-Math.Abs(z)));
        }

        return losses;
    }

    /// <summary>Returns the attack's AUC: P(member loss &lt; non-member loss) + P(equal) / 2; null when a side is empty.</summary>
    public static double? AttackAuc(IReadOnlyList<double> memberLosses, IReadOnlyList<double> nonMemberLosses) =>
        RankStatistics.MannWhitneyAuc(memberLosses.Select(l => -l).ToArray(), nonMemberLosses.Select(l => -l).ToArray());

    /// <summary>
    /// Draws rows of <paramref name="pool"/> that match the members' (group, label) mix, without replacement and
    /// seeded. Each cell gets as many rows as it has members, scaled up so that the total reaches
    /// <see cref="MinimumNonMembers"/> when there are fewer members; a cell that runs out contributes all its
    /// rows. Returns positions in the pool, ascending.
    /// </summary>
    public static int[] MatchNonMembers(TabularSplit members, TabularSplit pool, int seed)
    {
        var memberCells = Enumerable.Range(0, members.Count)
            .GroupBy(i => (members.Groups[i], members.Labels[i] > 0.5f))
            .ToDictionary(g => g.Key, g => g.Count());
        var poolCells = Enumerable.Range(0, pool.Count)
            .GroupBy(i => (pool.Groups[i], pool.Labels[i] > 0.5f))
            .ToDictionary(g => g.Key, g => g.ToArray());

        double scale = members.Count is > 0 and < MinimumNonMembers ? (double)MinimumNonMembers / members.Count : 1;
        var random = new Random(seed);
        var chosen = new List<int>();
        foreach (var (cell, memberCount) in memberCells.OrderBy(c => c.Key.Item1, StringComparer.Ordinal).ThenBy(c => c.Key.Item2))
        {
            if (!poolCells.TryGetValue(cell, out var candidates))
                continue;

            int drawCount = Math.Min(candidates.Length, (int)Math.Ceiling(memberCount * scale));
            var shuffled = (int[])candidates.Clone();
            for (int i = 0; i < drawCount; i++)
            {
                int j = i + random.Next(shuffled.Length - i);
                (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
            }

            chosen.AddRange(shuffled.Take(drawCount));
        }

        chosen.Sort();
        return chosen.ToArray();
    }
}
