using Bunit;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MudBlazor;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Components.Pages.Versions;
using UnlearnDashboard.Web.Tests.Fakes;

namespace UnlearnDashboard.Web.Tests.Pages.Versions;

public sealed class ModelVersionsTests : DashboardTestContext
{
    private const string TrainedShort = "0193a1b2…ined";
    private const string DebiasedShort = "0193c3d4…ased";

    private readonly IRenderedComponent<MudDialogProvider> _dialogs;

    public ModelVersionsTests()
    {
        _dialogs = Render<MudDialogProvider>();
        Catalog.Snapshot = TestData.Catalog(FairReport());
        Versions.Lineages[TestData.TrainedVersionId] = new VersionLineage
        {
            VersionId = TestData.TrainedVersionId,
            ModelId = TestData.ModelId,
            JobId = "job-train",
            TrainRequest = new TrainModelRequest { Dataset = "adult" },
        };
        Versions.Lineages[TestData.DebiasedVersionId] = new VersionLineage
        {
            VersionId = TestData.DebiasedVersionId,
            ModelId = TestData.ModelId,
            ParentVersionId = TestData.TrainedVersionId,
            JobId = "job-debias",
            DebiasRequest = new DebiasRequest { Dataset = "adult", Method = DebiasMethod.InfluenceNewton },
        };
        Versions.Aliases.Add(new ModelAlias { ModelId = TestData.ModelId, Alias = "champion", VersionId = TestData.TrainedVersionId, UpdatedBy = "carol" });
    }

    [Fact]
    public void Versions_ShowLineageMetricsAndAliases()
    {
        var page = RenderVersions();

        var rows = page.FindAll("[data-testid=versions] tbody tr");
        Assert.Equal([TestData.TrainedVersionId, TestData.DebiasedVersionId], rows.Select(r => r.GetAttribute("data-version-id")));
        Assert.Equal(["0", "1"], rows.Select(r => r.GetAttribute("data-depth")));
        Assert.Equal("trained", rows[0].QuerySelector("[data-testid=origin]")!.FirstChild!.TextContent.Trim());
        Assert.StartsWith("debias: Influence ranking and Newton removal", rows[1].QuerySelector("[data-testid=origin]")!.TextContent.Trim());
        Assert.Contains("job job-debias", rows[1].QuerySelector("[data-testid=origin]")!.TextContent);
        Assert.Equal($"1 child: {DebiasedShort}", rows[0].QuerySelector("[data-testid=children]")!.TextContent);
        Assert.Contains($"from {TrainedShort}", rows[1].TextContent);
        Assert.Equal("0.8497", rows[0].QuerySelector("[data-metric=accuracy] .metric")!.TextContent);
        Assert.Equal("0.2032", rows[0].QuerySelector("[data-metric=demographic_parity_difference] .metric")!.TextContent);
        Assert.Equal("0.0967", rows[0].QuerySelector("[data-metric=equalized_odds_difference] .metric")!.TextContent);
        Assert.Equal("0.3078", rows[0].QuerySelector("[data-metric=disparate_impact_ratio] .metric")!.TextContent);
        Assert.Equal("0.8500", rows[1].QuerySelector("[data-metric=disparate_impact_ratio] .metric")!.TextContent);
        Assert.Equal("champion", rows[0].QuerySelector("[data-testid=alias-chip]")!.GetAttribute("data-alias"));
        Assert.Null(rows[1].QuerySelector("[data-testid=alias-chip]"));
        Assert.Equal(TestData.TrainedVersionId, page.Find("[data-alias=champion] [data-testid=alias-version]").GetAttribute("data-version-id"));
        Assert.Equal("not set", page.Find("tr[data-alias=candidate] [data-testid=alias-version]").TextContent);
    }

    [Fact]
    public void Versions_ShowRecordedGateVerdict()
    {
        Versions.Lineages[TestData.TrainedVersionId].GateVerdict = new GateVerdict
        {
            Passed = false,
            DecidedBy = "carol",
            DecidedAt = Timestamp.FromDateTime(new DateTime(2026, 12, 4, 9, 0, 0, DateTimeKind.Utc)),
            Rules =
            {
                new GateRuleResult { Rule = "min_disparate_impact_ratio", Threshold = 0.8, Value = 0.3078, Passed = false,
                    Message = "min_disparate_impact_ratio: disparate impact ratio 0.3078 < 0.8." },
                new GateRuleResult { Rule = "max_accuracy_drop", Threshold = 0.01, Value = 0, Passed = true, Message = "max_accuracy_drop: passed" },
            },
        };

        var page = RenderVersions();

        var trained = page.Find($"tr[data-version-id='{TestData.TrainedVersionId}'] [data-testid=gate-verdict]");
        Assert.Equal("false", trained.QuerySelector("[data-testid=verdict-chip]")!.GetAttribute("data-passed"));
        Assert.Contains("carol, 2026-12-04 09:00 UTC", trained.TextContent);
        Assert.Equal(["min_disparate_impact_ratio: disparate impact ratio 0.3078 < 0.8."], trained.QuerySelectorAll("[data-testid=failed-rule]").Select(e => e.TextContent));
        Assert.Equal("never promoted", page.Find($"tr[data-version-id='{TestData.DebiasedVersionId}'] [data-testid=gate-verdict]").TextContent.Trim());
    }

    [Theory]
    [InlineData(Role.Viewer, "viewer")]
    [InlineData(Role.Engineer, "ML engineer")]
    [InlineData(Role.Admin, "admin")]
    public void Versions_OtherRoles_CannotPromoteOrEditGate(Role role, string roleText)
    {
        SignInAs("vic", role);

        var page = RenderVersions();

        Assert.Equal($"Only compliance officers can promote versions and change the release gate; you are signed in as vic ({roleText}).",
            page.Find("[data-testid=role-note]").TextContent.Trim());
        Assert.All(page.FindAll("[data-testid=promote-champion]"), button => Assert.True(button.HasAttribute("disabled")));
        Assert.All(page.FindAll("[data-testid=mark-candidate]"), button => Assert.True(button.HasAttribute("disabled")));
        Assert.Empty(page.FindAll("[data-testid=gate-min-ratio]"));
        Assert.Empty(page.FindAll("[data-testid=save-gate]"));
        Assert.Empty(page.FindAll("[data-testid=erase-link]"));
        Assert.Equal("disparate impact ratio at least 0.8, accuracy drop at most 0.01 (the default gate, since none was set).",
            page.Find("[data-testid=gate-summary]").TextContent.Trim());
    }

    [Fact]
    public void Versions_Compliance_CannotPromoteCurrentChampion()
    {
        SignInAs("carol", Role.Compliance);

        var page = RenderVersions();

        Assert.True(page.Find($"tr[data-version-id='{TestData.TrainedVersionId}'] [data-testid=promote-champion]").HasAttribute("disabled"));
        Assert.False(page.Find($"tr[data-version-id='{TestData.DebiasedVersionId}'] [data-testid=promote-champion]").HasAttribute("disabled"));
        Assert.False(page.Find($"tr[data-version-id='{TestData.TrainedVersionId}'] [data-testid=mark-candidate]").HasAttribute("disabled"));
        Assert.Empty(page.FindAll("[data-testid=role-note]"));
        Assert.Equal($"/erasures?version={TestData.DebiasedVersionId}",
            page.Find($"tr[data-version-id='{TestData.DebiasedVersionId}'] [data-testid=erase-link]").GetAttribute("href"));
    }

    [Fact]
    public void Promote_ConfirmDialog_ShowsGateVerdictThenPromotes()
    {
        SignInAs("carol", Role.Compliance);
        var page = RenderVersions();

        page.Find($"tr[data-version-id='{TestData.DebiasedVersionId}'] [data-testid=promote-champion]").Click();

        var change = _dialogs.WaitForElement("[data-testid=promote-change]");
        Assert.Equal($"The champion moves from version {TrainedShort} to version {DebiasedShort}.", change.TextContent);
        var ratio = _dialogs.Find("[data-testid=gate-preview] tr[data-rule=min_disparate_impact_ratio]");
        Assert.Equal("true", ratio.GetAttribute("data-passed"));
        Assert.Equal(["Disparate impact ratio at least", "0.8000", "0.8500", "passes"], ratio.QuerySelectorAll("td").Select(td => td.TextContent));
        var drop = _dialogs.Find("[data-testid=gate-preview] tr[data-rule=max_accuracy_drop]");
        Assert.Equal(["Accuracy drop against the reference at most", "0.0100", "0.0047", "passes"], drop.QuerySelectorAll("td").Select(td => td.TextContent));
        Assert.StartsWith("Expected verdict: passes.", _dialogs.Find("[data-testid=gate-expectation]").TextContent.Trim());

        _dialogs.Find("[data-testid=promote-reason]").Input("meeting 2026-12-04");
        _dialogs.Find("[data-testid=promote-confirm]").Click();

        page.WaitForAssertion(() => Assert.Equal(TestData.DebiasedVersionId,
            page.Find("tr[data-alias=champion] [data-testid=alias-version]").GetAttribute("data-version-id")));
        var request = Assert.Single(Versions.Promoted);
        Assert.Equal(TestData.DebiasedVersionId, request.VersionId);
        Assert.Equal("champion", request.Alias);
        Assert.Equal("meeting 2026-12-04", request.Reason);
        Assert.Contains($"Version {DebiasedShort} is now the champion of model adult-mlp.", SnackbarMessages);
        Assert.Empty(_dialogs.FindAll("[data-testid=promote-change]"));
    }

    [Fact]
    public void Promote_GateRejection_ShowsServerMessage()
    {
        SignInAs("carol", Role.Compliance);
        const string Message = "Version 0193c3d4-debiased did not pass the release gate of model model-adult: " +
                               "min_disparate_impact_ratio: disparate impact ratio 0.85 < 0.9. Change the model's gate (SetReleaseGate) or promote another version.";
        Versions.PromoteError = FakeComputeAccess.Fail(StatusCode.FailedPrecondition, Message);
        var page = RenderVersions();

        page.Find($"tr[data-version-id='{TestData.DebiasedVersionId}'] [data-testid=promote-champion]").Click();
        _dialogs.WaitForElement("[data-testid=promote-confirm]").Click();

        page.WaitForAssertion(() => Assert.Contains(Message, SnackbarMessages));
        Assert.Equal(TestData.TrainedVersionId, page.Find("tr[data-alias=champion] [data-testid=alias-version]").GetAttribute("data-version-id"));
    }

    [Fact]
    public void Promote_OlderVersion_IsRollback()
    {
        SignInAs("carol", Role.Compliance);
        Versions.Aliases[0].VersionId = TestData.DebiasedVersionId;
        var page = RenderVersions();

        page.Find($"tr[data-version-id='{TestData.TrainedVersionId}'] [data-testid=promote-champion]").Click();

        var change = _dialogs.WaitForElement("[data-testid=promote-change]");
        Assert.Equal($"This rolls the champion back from version {DebiasedShort} to the older version {TrainedShort}.", change.TextContent);
        Assert.Equal("false", _dialogs.Find("[data-testid=gate-preview] tr[data-rule=min_disparate_impact_ratio]").GetAttribute("data-passed"));
        Assert.StartsWith("Expected verdict: rejected.", _dialogs.Find("[data-testid=gate-expectation]").TextContent.Trim());

        _dialogs.Find("[data-testid=promote-cancel]").Click();

        _dialogs.WaitForAssertion(() => Assert.Empty(_dialogs.FindAll("[data-testid=promote-change]")));
        Assert.Empty(Versions.Promoted);
    }

    [Fact]
    public void MarkCandidate_HasNoGate()
    {
        SignInAs("carol", Role.Compliance);
        var page = RenderVersions();

        page.Find($"tr[data-version-id='{TestData.DebiasedVersionId}'] [data-testid=mark-candidate]").Click();

        _dialogs.WaitForElement("[data-testid=promote-change]");
        Assert.Contains("The candidate alias has no release gate.", _dialogs.Markup);
        Assert.Empty(_dialogs.FindAll("[data-testid=gate-preview]"));
        _dialogs.Find("[data-testid=promote-confirm]").Click();
        page.WaitForAssertion(() => Assert.Equal(TestData.DebiasedVersionId,
            page.Find("tr[data-alias=candidate] [data-testid=alias-version]").GetAttribute("data-version-id")));
        Assert.Equal("candidate", Assert.Single(Versions.Promoted).Alias);
    }

    [Theory]
    [InlineData("promote-champion")]
    [InlineData("mark-candidate")]
    public void Promote_VersionBeforeErasure_ShowsRejection(string button)
    {
        SignInAs("carol", Role.Compliance);
        Erasures.Certificates.Add(new ErasureCertificate
        {
            Id = "erasure-1",
            DatasetId = TestData.AdultId,
            NewVersionId = "0193e5f6-erased",
            VersionsAffected = { TestData.TrainedVersionId, TestData.DebiasedVersionId },
        });
        var page = RenderVersions();

        page.Find($"tr[data-version-id='{TestData.DebiasedVersionId}'] [data-testid={button}]").Click();

        var alert = _dialogs.WaitForElement("[data-testid=erased-rows-preview]");
        Assert.Contains("Erasure erasure-1 lists this version among the versions that still carry the rows it erased", alert.TextContent);
        Assert.Contains("Promote the erasure's version 0193e5f6…ased", alert.TextContent);
        if (button == "promote-champion")
            Assert.StartsWith("Expected verdict: rejected.", _dialogs.Find("[data-testid=gate-expectation]").TextContent.Trim());
    }

    [Fact]
    public void Promote_ErasureNewVersion_ShowsNoRejection()
    {
        SignInAs("carol", Role.Compliance);
        Erasures.Certificates.Add(new ErasureCertificate
        {
            Id = "erasure-1",
            DatasetId = TestData.AdultId,
            NewVersionId = TestData.DebiasedVersionId,
            VersionsAffected = { TestData.TrainedVersionId, TestData.DebiasedVersionId },
        });
        var page = RenderVersions();

        page.Find($"tr[data-version-id='{TestData.DebiasedVersionId}'] [data-testid=promote-champion]").Click();

        _dialogs.WaitForElement("[data-testid=promote-change]");
        Assert.Empty(_dialogs.FindAll("[data-testid=erased-rows-preview]"));
        Assert.StartsWith("Expected verdict: passes.", _dialogs.Find("[data-testid=gate-expectation]").TextContent.Trim());
    }

    [Fact]
    public void Gate_OutOfRangeValue_ShowsValidationMessage()
    {
        SignInAs("carol", Role.Compliance);
        var page = RenderVersions();

        page.Find("[data-testid=gate-min-ratio]").Input("1.5");

        page.WaitForAssertion(() => Assert.Contains(
            "The minimum disparate impact ratio must be between 0 and 1; 1.5 is out of range. Leave it empty to not check the rule.", page.Markup));
        Assert.True(page.Find("[data-testid=save-gate]").HasAttribute("disabled"));
        Assert.Empty(Versions.GatesSet);
    }

    [Fact]
    public void Gate_Save_SendsRulesAndShowsNewGate()
    {
        SignInAs("carol", Role.Compliance);
        var page = RenderVersions();

        page.Find("[data-testid=gate-min-ratio]").Input("0.9");
        page.Find("[data-testid=gate-max-drop]").Input("");
        page.Find("[data-testid=save-gate]").Click();

        page.WaitForAssertion(() => Assert.Single(Versions.GatesSet));
        var request = Versions.GatesSet[0];
        Assert.Equal(TestData.ModelId, request.ModelId);
        Assert.Equal(0.9, request.MinDisparateImpactRatio);
        Assert.False(request.HasMaxAccuracyDrop);
        page.WaitForAssertion(() => Assert.Equal(
            "disparate impact ratio at least 0.9, accuracy drop not checked (set by carol, 2026-12-04 09:30 UTC).",
            page.Find("[data-testid=gate-summary]").TextContent.Trim()));
    }

    [Fact]
    public void Versions_UnknownModel_ShowsError()
    {
        var page = Render<ModelVersions>(parameters => parameters.Add(p => p.ModelId, "missing"));

        page.WaitForAssertion(() => Assert.Equal("Model 'missing' was not found. The overview lists the models.", page.Find("[data-testid=load-error]").TextContent));
    }

    [Fact]
    public void Versions_ServerError_ShowsMessage()
    {
        Versions.Error = FakeComputeAccess.Fail(StatusCode.PermissionDenied, "GetLineage needs a signed-in user.");

        var page = Render<ModelVersions>(parameters => parameters.Add(p => p.ModelId, TestData.ModelId));

        page.WaitForAssertion(() => Assert.Equal("GetLineage needs a signed-in user.", page.Find("[data-testid=load-error]").TextContent));
    }

    private IRenderedComponent<ModelVersions> RenderVersions()
    {
        var page = Render<ModelVersions>(parameters => parameters.Add(p => p.ModelId, TestData.ModelId));
        page.WaitForElement("[data-testid=versions]");
        return page;
    }

    /// <summary>A debiased report that passes the default gate: ratio 0.85, accuracy 0.845 (a drop of 0.0047).</summary>
    private static FairnessReport FairReport()
    {
        var report = TestData.BiasedReport();
        report.DisparateImpactRatio = 0.85;
        report.Accuracy = 0.845;
        return report;
    }
}
