using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Tests;

public sealed class ResultPrinterTests
{
    [Fact]
    public void WriteDebias_WithoutRetrain_HasTwoColumns()
    {
        var result = TestResults.Debias();
        result.After.ClearDisparateImpactRatio();
        var writer = new StringWriter();

        ResultPrinter.WriteDebias(result, writer);

        var lines = writer.ToString().Split(Environment.NewLine);
        Assert.Matches(@"^metric \(test split\)\s+before\s+after$", lines[0]);
        Assert.Matches(@"^accuracy\s+0\.8500\s+0\.8400$", lines[1]);
        Assert.Matches(@"^disparate impact ratio\s+0\.6100\s+n/a$", lines[5]);
        Assert.Contains("removed samples:  120", writer.ToString());
        Assert.Contains("new version:      version-2", writer.ToString());
        Assert.DoesNotContain("retrain", writer.ToString());
        Assert.DoesNotContain("speed-up", writer.ToString());
    }

    [Theory]
    [InlineData(0.1808, true)]
    [InlineData(0.5123, false)]
    public void WriteDebias_MembershipAuc_ExplainsValuesBelowHalf(double baseAuc, bool explained)
    {
        var result = TestResults.Debias();
        result.Evidence = new DebiasEvidence
        {
            MembershipInference = new MembershipInference
            {
                MemberCount = 1357,
                NonMemberCount = 1357,
                Models = { new MembershipAuc { Model = "base", Auc = baseAuc }, new MembershipAuc { Model = "updated", Auc = 0.6 } },
            },
        };
        var writer = new StringWriter();

        ResultPrinter.WriteDebias(result, writer);

        Assert.Contains($"membership AUC:   base {baseAuc:F4}, updated 0.6000 (1357 removed samples)", writer.ToString());
        Assert.Equal(explained, writer.ToString().Contains("below 0.5, the removed samples have higher losses", StringComparison.Ordinal));
    }

    [Fact]
    public void WriteDebias_RankingMethod_ShowsDampingAndObjectiveRows()
    {
        var result = TestResults.Debias();
        result.Influence = new InfluenceSummary
        {
            Layers = { "fc3" },
            Damping = 1e-4,
            DampingChosenByRule = true,
            Solver = InfluenceSolver.ConjugateGradient,
            Curvature = Curvature.Hessian,
            ObjectiveRows = ObjectiveRows.Validation,
            ObjectiveRowCount = 3016,
        };
        var writer = new StringWriter();

        ResultPrinter.WriteDebias(result, writer);

        var lines = writer.ToString().Split(Environment.NewLine);
        Assert.Contains("layers:           fc3, damping 0.0001 (chosen by the damping rule)", lines);
        Assert.Contains("objective rows:   3,016 rows of the validation split", lines);
    }

    [Fact]
    public void WriteDebias_MethodWithoutRanking_ShowsNoDamping()
    {
        var result = TestResults.Debias();
        result.Method = DebiasMethod.DataFree;
        result.Influence = new InfluenceSummary
        {
            Layers = { "fc3" },
            Objective = BiasObjective.DemographicParity,
            ObjectiveRows = ObjectiveRows.TrainingAndValidation,
            ObjectiveRowCount = 30162,
        };
        result.Timings.RankingSeconds = 0;
        var writer = new StringWriter();

        ResultPrinter.WriteDebias(result, writer);

        var lines = writer.ToString().Split(Environment.NewLine);
        Assert.Contains("layers:           fc3", lines);
        Assert.Contains(lines, line => line.StartsWith("timings:          unlearning 0.25 s", StringComparison.Ordinal));
        Assert.Contains("objective rows:   30,162 rows of the training and validation splits, because a group has fewer than 400 "
            + "validation rows for the objective", lines);
    }

    [Fact]
    public void WriteDebias_WithRetrain_AddsColumnAndTiming()
    {
        var result = TestResults.Debias();
        result.Retrain = TestResults.Report(0.83, 0.07);
        result.Timings.RetrainSeconds = 42;
        result.Timings.RetrainSpeedUp = 11.2;
        var writer = new StringWriter();

        ResultPrinter.WriteDebias(result, writer);

        var lines = writer.ToString().Split(Environment.NewLine);
        Assert.Matches(@"\s+retrain$", lines[0]);
        Assert.Matches(@"^demographic parity difference\s+0\.1800\s+0\.0900\s+0\.0700$", lines[2]);
        Assert.Contains("retrain 42.00 s", writer.ToString());
        Assert.Contains("speed-up:         ranking and update ran 11.2x faster than the retrain", lines);
    }

    [Fact]
    public void WriteDebias_LevellingDown_NamesFlaggedRateAndNumbers()
    {
        var result = TestResults.Debias();
        result.Evidence = new DebiasEvidence
        {
            LevellingDown = new LevellingDown
            {
                Rule = "The favoured group's fall is over half of the gap's reduction.",
                Flagged = true,
                SelectionRate = new LevellingDownRate
                {
                    Rate = "selection_rate", FavouredGroup = "Male", GapBefore = 0.2032, GapAfter = 0.1316, FavouredDrop = 0.0449,
                    LowestGroup = "Female", LowestRise = 0.0267, LevelledDown = true,
                    Groups =
                    {
                        new GroupRateChange { Group = "Female", Before = 0.0904, After = 0.1171 },
                        new GroupRateChange { Group = "Male", Before = 0.2936, After = 0.2487 },
                    },
                },
                TruePositiveRate = new LevellingDownRate { Rate = "true_positive_rate", FavouredGroup = "Male" },
            },
        };
        var writer = new StringWriter();

        ResultPrinter.WriteDebias(result, writer);

        string text = writer.ToString();
        Assert.Contains("levelling down:   yes" + Environment.NewLine, text);
        Assert.Contains("  selection rate: flagged; gap 0.2032 -> 0.1316, Male (highest before) fell by 0.0449, Female (lowest before) rose by 0.0267", text);
        Assert.Contains("  true positive rate: not checked, a group's rate is undefined", text);
        Assert.Contains("  rule: The favoured group's fall is over half of the gap's reduction.", text);
    }

    [Fact]
    public void WriteDebias_FavouredGroupRose_SaysSo()
    {
        // favoured_drop is clamped at 0, so a rise of the favoured group must be read from its rates.
        var result = TestResults.Debias();
        result.Evidence = new DebiasEvidence
        {
            LevellingDown = new LevellingDown
            {
                SelectionRate = new LevellingDownRate
                {
                    Rate = "selection_rate", FavouredGroup = "Male", GapBefore = 0.2032, GapAfter = 0.1722, FavouredDrop = 0,
                    LowestGroup = "Female", LowestRise = 0.0549,
                    Groups =
                    {
                        new GroupRateChange { Group = "Female", Before = 0.0904, After = 0.1453 },
                        new GroupRateChange { Group = "Male", Before = 0.2936, After = 0.3175 },
                    },
                },
            },
        };
        var writer = new StringWriter();

        ResultPrinter.WriteDebias(result, writer);

        Assert.Contains("  selection rate: not flagged; gap 0.2032 -> 0.1722, Male (highest before) rose by 0.0239, Female (lowest before) rose by 0.0549", writer.ToString());
    }

    [Fact]
    public void WriteDebias_DefaultCounterfactuals_ListsMapsAsNotReviewed()
    {
        var result = TestResults.Debias();
        result.CounterfactualSetId = "";
        result.CounterfactualMaps.Add(new ColumnValueMap { Column = "sex", Values = { ["male"] = "female", ["female"] = "male" } });
        result.CounterfactualMaps.Add(new ColumnValueMap { Column = "personal_status_sex", Values = { ["A92"] = "A93", ["A93"] = "A92" } });
        var writer = new StringWriter();

        ResultPrinter.WriteDebias(result, writer);

        Assert.Contains(
            "counterfactuals:  default maps, not reviewed (sex: female=male, male=female; personal_status_sex: A92=A93, A93=A92)",
            writer.ToString());
    }
}
