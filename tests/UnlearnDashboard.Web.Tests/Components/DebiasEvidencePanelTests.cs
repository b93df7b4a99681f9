using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Bunit;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Components.Shared;
using UnlearnDashboard.Web.Jobs;

namespace UnlearnDashboard.Web.Tests.Components;

public sealed partial class DebiasEvidencePanelTests : DashboardTestContext
{
    [Fact]
    public void Panel_ShowsBaselinesAndControl()
    {
        var panel = RenderPanel(TestData.DebiasResultWithEvidence());

        var table = panel.Find("[data-testid=evidence-baselines]");
        Assert.Equal(["update", "retrain", "reweighing", "group-thresholds", "random-control"],
            table.QuerySelectorAll("tbody tr").Select(row => row.GetAttribute("data-baseline")!));
        Assert.Equal(["0.8431", "0.1552", "0.0814"], Metrics(table, "update"));
        Assert.Equal(["0.8452", "0.1611", "0.0803"], Metrics(table, "retrain"));
        Assert.Equal(["0.8391", "0.0921", "0.0688"], Metrics(table, "reweighing"));
        Assert.Equal(["0.8302", "0.0123", "0.1401"], Metrics(table, "group-thresholds"));
        Assert.Equal(["0.8494", "0.2019", "0.0951"], Metrics(table, "random-control"));
        Assert.Equal("Random-removal control (mean of 2 draws)", Text(table.QuerySelector("tr[data-baseline=random-control] th")!));
        Assert.Contains("read the sensitive attribute at prediction time", panel.Find("[data-testid=evidence-thresholds-note]").TextContent);
    }

    [Fact]
    public void Panel_ShowsSeedBand()
    {
        var panel = RenderPanel(TestData.DebiasResultWithEvidence());

        var table = panel.Find("[data-testid=evidence-seed-band]");
        Assert.Equal("Seed-noise band over 5 training seeds (mean ± 2 sd)", Text(table.QuerySelector("caption")!));
        Assert.Equal(["0.8489", "0.0042", "0.8447 to 0.8531", "0.8431", "yes"], BandRow(table, "accuracy"));
        Assert.Equal(["0.2011", "0.0130", "0.1881 to 0.2141", "0.1552", "yes"], BandRow(table, "demographic_parity_difference"));
        Assert.Equal(["0.0942", "0.0220", "0.0722 to 0.1162", "0.0814", "no"], BandRow(table, "equalized_odds_difference"));
    }

    [Fact]
    public void Panel_ShowsLevellingDownPerRate()
    {
        var panel = RenderPanel(TestData.DebiasResultWithEvidence());

        var section = panel.Find("[data-testid=evidence-levelling-down]");
        Assert.Equal("true", panel.Find("[data-testid=levelling-verdict]").GetAttribute("data-flagged"));
        Assert.StartsWith("Flagged:", Text(panel.Find("[data-testid=levelling-verdict]")));
        Assert.Equal(
            "Selection rate: flagged; gap 0.2032 → 0.1552, Male (highest before) fell by 0.0261, Female (lowest before) rose by 0.0219",
            Text(section.QuerySelector("li[data-rate=selection_rate]")!));
        Assert.Equal(
            "True positive rate: not flagged; gap 0.0905 → 0.0710, Male (highest before) fell by 0.0050, Female (lowest before) rose by 0.0145",
            Text(section.QuerySelector("li[data-rate=true_positive_rate]")!));
        Assert.Equal(
            "Rule: The rate is flagged when the gap fell and the favoured group's rate fell by more than the lowest group's rose.",
            Text(panel.Find("[data-testid=levelling-rule]")));
    }

    [Fact]
    public void Panel_ShowsProofOfForgetting()
    {
        var panel = RenderPanel(TestData.DebiasResultWithEvidence());

        var membership = panel.Find("[data-testid=evidence-membership]");
        Assert.Equal("1357", membership.GetAttribute("data-members"));
        Assert.Equal("1342", membership.GetAttribute("data-non-members"));
        Assert.Contains("1357 removed samples against 1342 non-members", Text(membership.QuerySelector("caption")!));
        Assert.Equal("0.6123", Text(membership.QuerySelector("tr[data-model=base] .metric")!));
        Assert.Equal("0.5876", Text(membership.QuerySelector("tr[data-model=updated] .metric")!));
        Assert.Equal("0.5712", Text(membership.QuerySelector("tr[data-model=retrained] .metric")!));
        Assert.StartsWith("Influence-ranked samples", Text(panel.Find("[data-testid=membership-note]")));
        var distance = panel.Find("[data-testid=evidence-distance]");
        Assert.Equal("1.8734", Text(distance.QuerySelector("tr[data-from=updated] [data-column=l2]")!));
        Assert.Equal("97.1 %", Text(distance.QuerySelector("tr[data-from=updated] [data-column=agreement]")!));
        Assert.Equal("2.4410", Text(distance.QuerySelector("tr[data-from=base] [data-column=l2]")!));
        Assert.Equal("95.9 %", Text(distance.QuerySelector("tr[data-from=base] [data-column=agreement]")!));
        Assert.Empty(panel.FindAll("[data-testid=evidence-skipped]"));
    }

    [Fact]
    public void Panel_NotesMissingRetrainedAuc()
    {
        var result = TestData.DebiasResultWithEvidence();
        result.Evidence.Retrain = null;
        result.Evidence.MembershipInference.Models.RemoveAt(2);

        var panel = RenderPanel(result);

        Assert.Equal(["base", "updated"], panel.FindAll("[data-testid=evidence-membership] tbody tr").Select(row => row.GetAttribute("data-model")!));
        Assert.StartsWith("No retrain was requested as evidence", Text(panel.Find("[data-testid=membership-note]")));
        Assert.Empty(panel.FindAll("[data-testid=evidence-distance]"));
    }

    [Fact]
    public void Panel_ListsSkippedEvidence()
    {
        var result = new DebiasResult
        {
            Before = TestData.BiasedReport(),
            After = TestData.BiasedReport(),
            RemovedSampleCount = 0,
            Evidence = new DebiasEvidence
            {
                LevellingDown = new LevellingDown
                {
                    Rule = "Nothing is flagged when a rate of a group present before is undefined before or after.",
                    SelectionRate = new LevellingDownRate
                    {
                        Rate = "selection_rate", FavouredGroup = "Male", LowestGroup = "Female", GapBefore = 0.2032, GapAfter = 0.2032, FavouredDrop = 0, LowestRise = 0,
                        Groups =
                        {
                            new GroupRateChange { Group = "Female", Before = 0.0904, After = 0.0904 },
                            new GroupRateChange { Group = "Male", Before = 0.2936, After = 0.2936 },
                        },
                    },
                    TruePositiveRate = new LevellingDownRate { Rate = "true_positive_rate" },
                },
                Skipped =
                {
                    "retrain: the run removed no samples, so the retrain would equal the base model's training",
                    "membership inference: the run removed no samples to attack",
                },
            },
        };

        var panel = RenderPanel(result);

        var skipped = panel.FindAll("[data-testid=evidence-skipped] li").Select(Text).ToList();
        Assert.Equal(result.Evidence.Skipped, skipped);
        Assert.Equal(["update"], panel.FindAll("[data-testid=evidence-baselines] tbody tr").Select(row => row.GetAttribute("data-baseline")!));
        Assert.Empty(panel.FindAll("[data-testid=evidence-forgetting]"));
        Assert.Empty(panel.FindAll("[data-testid=evidence-seed-band]"));
        Assert.Empty(panel.FindAll("[data-testid=evidence-thresholds-note]"));
        Assert.Equal("false", panel.Find("[data-testid=levelling-verdict]").GetAttribute("data-flagged"));
        Assert.Equal(
            "Selection rate: not flagged; gap 0.2032 → 0.2032, Male (highest before) did not change, Female (lowest before) did not change",
            Text(panel.Find("li[data-rate=selection_rate]")));
        Assert.Equal("True positive rate: not checked, a group's rate is undefined", Text(panel.Find("li[data-rate=true_positive_rate]")));
        Assert.Empty(panel.FindAll("[data-testid=levelling-rule]"));
    }

    [Fact]
    public void Mapping_FallsBackToRequestedRetrain()
    {
        var result = TestData.DebiasResultWithEvidence();
        result.Evidence.Retrain = null;
        result.Retrain = TestData.BiasedReport();

        var evidence = result.ToEvidenceSummary()!;

        Assert.Equal(new HeadlineSummary(0.84973, 0.20321, 0.09671), evidence.Retrain);
        Assert.Null(evidence.UpdatedToRetrained);
        Assert.Null(evidence.BaseToRetrained);
    }

    [Fact]
    public void Mapping_ReturnsNullWithoutEvidence()
    {
        var result = TestData.DebiasResultWithEvidence();
        result.Evidence = null;

        Assert.Null(result.ToEvidenceSummary());
        Assert.Null(new JobResult { Debias = result }.ToOutcome()!.Evidence);
    }

    private IRenderedComponent<DebiasEvidencePanel> RenderPanel(DebiasResult result)
    {
        var outcome = new JobResult { Debias = result }.ToOutcome()!;
        return Render<DebiasEvidencePanel>(parameters => parameters.Add(p => p.Evidence, outcome.Evidence!));
    }

    private static IEnumerable<string> Metrics(IElement table, string baseline) =>
        table.QuerySelectorAll($"tr[data-baseline={baseline}] td").Select(Text);

    private static IEnumerable<string> BandRow(IElement table, string metric) =>
        table.QuerySelectorAll($"tr[data-metric={metric}] td").Select(Text);

    private static string Text(IElement element) => Whitespace().Replace(element.TextContent, " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
