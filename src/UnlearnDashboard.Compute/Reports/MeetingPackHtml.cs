using System.Globalization;
using System.Text;
using Google.Protobuf;
using Proto = UnlearnDashboard.Protos.V1;
using static System.Net.WebUtility;

namespace UnlearnDashboard.Compute.Reports;

/// <summary>
/// Renders a meeting pack as one self-contained HTML page: inline styles, no scripts, no external resources,
/// and a print layout for A4. Tables carry data attributes so tests can read values back.
/// </summary>
public static class MeetingPackHtml
{
    private static readonly (string Metric, string Label)[] HeadlineMetrics =
    [
        ("accuracy", "Accuracy"),
        ("demographic_parity_difference", "Demographic parity difference"),
        ("equalized_odds_difference", "Equalized odds difference"),
        ("equal_opportunity_difference", "Equal opportunity difference"),
        ("false_positive_rate_difference", "False positive rate difference"),
        ("disparate_impact_ratio", "Disparate impact ratio"),
    ];

    private const string Style = """
        body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #1b1b1b; }
        h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
        table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
        th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
        td.number { text-align: right; font-variant-numeric: tabular-nums; }
        .flag { color: #b00020; font-weight: 600; }
        .ok { color: #1b5e20; }
        .hash { font-family: monospace; font-size: 0.85em; word-break: break-all; }
        pre { white-space: pre-wrap; font-size: 0.8em; background: #f5f5f5; padding: 0.5em; }
        @page { size: A4; margin: 15mm; }
        @media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } table, pre { break-inside: avoid; } }
        """;

    public static string Render(Proto.MeetingPack pack)
    {
        var html = new StringBuilder();
        var comparison = pack.Comparison;
        string title = $"Meeting pack: {pack.Model.Name} on {pack.Dataset.Spec.Name}";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append($"<title>{HtmlEncode(title)}</title>\n<style>\n{Style}\n</style>\n</head>\n<body>\n");
        html.Append($"<h1>{HtmlEncode(title)}</h1>\n");
        html.Append($"<p>Generated {Time(pack.GeneratedAt)} UTC. Baseline version <span class=\"hash\">{HtmlEncode(comparison.Baseline.Id)}</span>, ");
        html.Append($"candidate version <span class=\"hash\">{HtmlEncode(comparison.Candidate.Id)}</span>.</p>\n");

        AppendPurpose(html, pack);
        AppendMetrics(html, comparison);
        AppendImpacts(html, pack);
        AppendGate(html, pack);
        AppendApprovals(html, pack);
        AppendRemoved(html, pack);
        AppendSettings(html, pack);
        AppendAudit(html, pack);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendPurpose(StringBuilder html, Proto.MeetingPack pack)
    {
        var dataset = pack.Dataset;
        var settings = pack.Model.Settings;
        string hidden = settings.Hidden.Count == 0 ? "64, 32" : string.Join(", ", settings.Hidden);
        html.Append("<h2>Purpose and data</h2>\n<table data-table=\"data\">\n");
        Row(html, "Model", $"{pack.Model.Name}: predicts {dataset.Spec.LabelColumn} = {dataset.Spec.FavourableLabel} (the favourable outcome)");
        Row(html, "Architecture", settings.Architecture == Proto.Architecture.LogisticRegression ? "logistic regression" : $"MLP with hidden layers {hidden}");
        Row(html, "Dataset", $"{dataset.Spec.Name}: {dataset.TrainRows} training, {dataset.ValidationRows} validation and {dataset.TestRows} test rows");
        Row(html, "Sensitive attribute", $"{dataset.Spec.SensitiveColumn}, groups {string.Join(", ", dataset.Groups)}");
        Row(html, "Rows left out", $"{dataset.DroppedRows} with a missing feature value; {pack.ExcludedRows} of the test split as unknown group or label");
        Row(html, "Evaluated on", $"the {pack.Comparison.Split} split, {pack.Comparison.BaselineReport.Count} rows; a decision is favourable when the logit is above 0");
        html.Append("</table>\n");
    }

    private static void AppendMetrics(StringBuilder html, Proto.VersionComparison comparison)
    {
        string level = (comparison.BootstrapLevel * 100).ToString("0", CultureInfo.InvariantCulture);
        html.Append("<h2>Before and after</h2>\n");
        html.Append($"<p>Change is candidate minus baseline, with its {level}% interval from {comparison.BootstrapResamples} paired bootstrap resamples of the rows.</p>\n");
        html.Append($"<table data-table=\"metrics\">\n<tr><th>Metric</th><th>Baseline</th><th>Candidate</th><th>Change</th><th>{level}% interval</th></tr>\n");
        foreach (var (metric, label) in HeadlineMetrics)
        {
            var row = comparison.Metrics.FirstOrDefault(m => m.Metric == metric && m.Group == "");
            if (row is null)
                continue;

            string interval = row.HasDeltaLower && row.HasDeltaUpper ? $"[{Signed(row.DeltaLower)}, {Signed(row.DeltaUpper)}]" : "undefined";
            html.Append($"<tr data-metric=\"{metric}\"><th>{label}</th>");
            html.Append($"<td class=\"number\" data-column=\"baseline\">{Metric(row.HasBaseline, row.Baseline)}</td>");
            html.Append($"<td class=\"number\" data-column=\"candidate\">{Metric(row.HasCandidate, row.Candidate)}</td>");
            html.Append($"<td class=\"number\" data-column=\"change\">{(row.HasDelta ? Signed(row.Delta) : "undefined")}</td>");
            html.Append($"<td data-column=\"interval\">{interval}{Reason(row.UndefinedReason)}</td></tr>\n");
        }

        html.Append("</table>\n");
    }

    private static void AppendImpacts(StringBuilder html, Proto.MeetingPack pack)
    {
        html.Append("<h2>Impact ratios</h2>\n<p>Each group's selection rate over the highest group's rate in the same version. ");
        html.Append("The four-fifths rule flags a ratio below 0.8.</p>\n");
        foreach (var grouping in pack.ImpactRows.GroupBy(r => r.Grouping))
        {
            html.Append($"<table data-table=\"impact\" data-grouping=\"{HtmlEncode(grouping.Key)}\">\n<caption>{HtmlEncode(grouping.Key)}</caption>\n");
            html.Append("<tr><th>Group</th><th>Rows</th><th>Baseline selection rate</th><th>Baseline ratio</th><th>Candidate selection rate</th><th>Candidate ratio</th></tr>\n");
            foreach (var group in grouping.GroupBy(r => r.Group))
            {
                var baseline = group.FirstOrDefault(r => r.Version == "baseline");
                var candidate = group.FirstOrDefault(r => r.Version == "candidate");
                html.Append($"<tr data-group=\"{HtmlEncode(group.Key)}\"><th>{HtmlEncode(group.Key)}</th><td class=\"number\">{(baseline ?? candidate)?.Count}</td>");
                AppendImpactCells(html, baseline, "baseline");
                AppendImpactCells(html, candidate, "candidate");
                html.Append("</tr>\n");
            }

            html.Append("</table>\n");
        }
    }

    private static void AppendImpactCells(StringBuilder html, Proto.ImpactRow? row, string version)
    {
        if (row is null || row.NotScoredReason.Length > 0)
        {
            string reason = row?.NotScoredReason ?? "no rows";
            html.Append($"<td colspan=\"2\" data-column=\"{version}-ratio\">not scored: {HtmlEncode(reason)}</td>");
            return;
        }

        string flag = row.BelowFourFifths ? " <span class=\"flag\">below 0.8</span>" : "";
        html.Append($"<td class=\"number\" data-column=\"{version}-rate\">{Metric(row.HasSelectionRate, row.SelectionRate)}</td>");
        html.Append($"<td class=\"number\" data-column=\"{version}-ratio\">{Metric(row.HasImpactRatio, row.ImpactRatio)}{flag}</td>");
    }

    private static void AppendGate(StringBuilder html, Proto.MeetingPack pack)
    {
        html.Append("<h2>Release gate</h2>\n");
        var verdict = pack.ReleaseGate;
        if (verdict is null)
        {
            html.Append("<p data-section=\"gate\">No release-gate verdict is available for the candidate.</p>\n");
            return;
        }

        string when = pack.ReleaseGateCheckedNow
            ? "The candidate was never promoted to champion, so the model's gate was checked for this pack"
            : $"Verdict of the candidate's latest promotion to champion, requested by {HtmlEncode(verdict.DecidedBy)} on {Time(verdict.DecidedAt)} UTC";
        html.Append($"<p data-section=\"gate\">{when}: <strong data-verdict=\"{(verdict.Passed ? "passed" : "failed")}\">{(verdict.Passed ? "passed" : "failed")}</strong>, ");
        html.Append($"against the {HtmlEncode(verdict.ReferenceKind)} <span class=\"hash\">{HtmlEncode(verdict.ReferenceVersionId)}</span>");
        html.Append(verdict.Gate?.IsDefault == true ? " (the default gate).</p>\n" : ".</p>\n");
        html.Append("<table data-table=\"gate\">\n<tr><th>Rule</th><th>Threshold</th><th>Value</th><th>Result</th></tr>\n");
        foreach (var rule in verdict.Rules)
        {
            html.Append($"<tr><td>{HtmlEncode(rule.Rule)}</td><td class=\"number\">{Metric(true, rule.Threshold)}</td>");
            html.Append($"<td class=\"number\">{Metric(rule.HasValue, rule.Value)}</td><td>{(rule.Passed ? "pass" : "fail")}</td></tr>\n");
        }

        html.Append("</table>\n");
    }

    private static void AppendApprovals(StringBuilder html, Proto.MeetingPack pack)
    {
        html.Append("<h2>Approvals and erasures</h2>\n");
        if (pack.Approvals.Count == 0)
        {
            html.Append("<p data-section=\"approvals\">The candidate's lineage used no counterfactual set, so no approval applies.</p>\n");
        }
        else
        {
            html.Append("<table data-table=\"approvals\">\n<tr><th>Counterfactual set</th><th>Row pairs</th><th>Requested by</th><th>Decision</th><th>Comment</th></tr>\n");
            foreach (var set in pack.Approvals)
            {
                string decision = set.Status == Proto.CounterfactualSetStatus.Approved ? "approved" : set.Status.ToString().ToLowerInvariant();
                html.Append($"<tr><td class=\"hash\">{HtmlEncode(set.Id)}</td><td class=\"number\">{set.RowCount}</td><td>{HtmlEncode(set.RequestedBy)}</td>");
                html.Append($"<td>{decision} by {HtmlEncode(set.ReviewedBy)} on {Time(set.ReviewedAt)}</td><td>{HtmlEncode(set.ReviewComment)}</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        AppendErasures(html, pack);
    }

    private static void AppendErasures(StringBuilder html, Proto.MeetingPack pack)
    {
        if (pack.Erasures.Count == 0)
        {
            html.Append("<p data-section=\"erasures\">No erasure request is recorded for this dataset.</p>\n");
            return;
        }

        html.Append("<p>Erasures of the dataset; every version listed as affected still carries the erased rows' influence.</p>\n");
        html.Append("<table data-table=\"erasures\">\n<tr><th>Erasure</th><th>Issued</th><th>Rows</th><th>From version</th><th>To version</th>");
        html.Append("<th>Membership-inference check</th><th>Still affected</th></tr>\n");
        foreach (var erasure in pack.Erasures)
        {
            var check = erasure.Verification ?? new Proto.MembershipCheck();
            html.Append($"<tr><td class=\"hash\">{HtmlEncode(erasure.Id)}</td><td>{Time(erasure.IssuedAt)}</td><td class=\"number\">{erasure.Rows.Count}</td>");
            html.Append($"<td class=\"hash\">{HtmlEncode(erasure.BaseVersionId)}</td><td class=\"hash\">{HtmlEncode(erasure.NewVersionId)}</td>");
            html.Append($"<td>{(check.Passed ? "passed" : "failed")}: AUC {Metric(check.HasErasedAuc, check.ErasedAuc)} against {Metric(true, check.ReferenceAuc)}</td>");
            html.Append($"<td>{erasure.VersionsAffected.Count}</td></tr>\n");
        }

        html.Append("</table>\n");
    }

    private static void AppendRemoved(StringBuilder html, Proto.MeetingPack pack)
    {
        var removed = pack.Comparison.Removed;
        html.Append("<h2>Removed samples and proof of forgetting</h2>\n");
        html.Append($"<p data-section=\"removed\">{removed.Count} training rows were removed for the candidate and not for the baseline.</p>\n");
        if (removed.Count > 0)
        {
            html.Append("<table data-table=\"removed\">\n<tr><th>Group</th><th>Label</th><th>Removed</th><th>In training</th></tr>\n");
            foreach (var cell in removed.Cells.Where(c => c.Removed > 0))
            {
                html.Append($"<tr><td>{HtmlEncode(cell.Group)}</td><td>{(cell.Label ? "favourable" : "unfavourable")}</td>");
                html.Append($"<td class=\"number\">{cell.Removed}</td><td class=\"number\">{cell.TrainCount}</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        var attacks = pack.LineageJobs.Select(job => (job.Id, Evidence: job.Result?.Debias?.Evidence?.MembershipInference)).Where(a => a.Evidence is not null).ToList();
        if (attacks.Count == 0)
        {
            html.Append("<p>No membership-inference result is recorded for the lineage.</p>\n");
            return;
        }

        html.Append("<p>A loss-based membership-inference attack on the removed rows against matched test rows; ");
        html.Append("an AUC near the retrained model's means the candidate has forgotten them as well as a retrain would.</p>\n");
        html.Append("<table data-table=\"membership\">\n<tr><th>Job</th><th>Model attacked</th><th>AUC</th><th>Removed rows</th><th>Matched test rows</th></tr>\n");
        foreach (var (jobId, evidence) in attacks)
        {
            foreach (var model in evidence!.Models)
            {
                html.Append($"<tr><td class=\"hash\">{HtmlEncode(jobId)}</td><td>{HtmlEncode(model.Model)}</td><td class=\"number\">{Metric(model.HasAuc, model.Auc)}</td>");
                html.Append($"<td class=\"number\">{evidence.MemberCount}</td><td class=\"number\">{evidence.NonMemberCount}</td></tr>\n");
            }
        }

        html.Append("</table>\n");
    }

    private static void AppendSettings(StringBuilder html, Proto.MeetingPack pack)
    {
        html.Append("<h2>Method and settings</h2>\n");
        if (pack.LineageJobs.Count == 0)
        {
            html.Append("<p>The candidate is the baseline or one of its ancestors, so no job lies between them.</p>\n");
            return;
        }

        var formatter = new JsonFormatter(JsonFormatter.Settings.Default.WithIndentation());
        foreach (var job in pack.LineageJobs)
        {
            IMessage request = job.RequestCase switch
            {
                Proto.Job.RequestOneofCase.DebiasRequest => job.DebiasRequest,
                Proto.Job.RequestOneofCase.ErasureRequest => job.ErasureRequest,
                _ => job.TrainRequest,
            };
            html.Append($"<p>Job <span class=\"hash\">{HtmlEncode(job.Id)}</span>, finished {Time(job.FinishedAt)} UTC, request:</p>\n");
            html.Append($"<pre data-job=\"{HtmlEncode(job.Id)}\">{HtmlEncode(formatter.Format(request))}</pre>\n");
        }
    }

    private static void AppendAudit(StringBuilder html, Proto.MeetingPack pack)
    {
        var check = pack.AuditCheck;
        html.Append("<h2>Audit trail</h2>\n");
        html.Append(check.Intact
            ? $"<p class=\"ok\" data-section=\"audit-check\">The audit chain is intact: {check.EntryCount} entries, last hash <span class=\"hash\">{check.LastHash}</span>.</p>\n"
            : $"<p class=\"flag\" data-section=\"audit-check\">The audit chain is broken at entry {check.FirstBrokenSequence}: {HtmlEncode(check.Reason)}</p>\n");
        html.Append("<table data-table=\"audit\">\n<tr><th>#</th><th>Time (UTC)</th><th>Actor</th><th>Action</th><th>Subject</th><th>Hash</th></tr>\n");
        foreach (var entry in pack.AuditExcerpt)
        {
            html.Append($"<tr><td class=\"number\">{entry.Sequence}</td><td>{Time(entry.Time)}</td><td>{HtmlEncode(entry.Actor)}</td>");
            html.Append($"<td>{HtmlEncode(entry.Action)}</td><td class=\"hash\">{HtmlEncode(entry.Subject)}</td><td class=\"hash\">{entry.Hash[..Math.Min(16, entry.Hash.Length)]}</td></tr>\n");
        }

        html.Append("</table>\n");
    }

    private static void Row(StringBuilder html, string label, string value) =>
        html.Append($"<tr><th>{HtmlEncode(label)}</th><td>{HtmlEncode(value)}</td></tr>\n");

    private static string Metric(bool isSet, double value) =>
        isSet ? value.ToString("F4", CultureInfo.InvariantCulture) : "undefined";

    private static string Signed(double value) =>
        (value > 0 ? "+" : "") + value.ToString("F4", CultureInfo.InvariantCulture);

    private static string Reason(string reason) => reason.Length == 0 ? "" : $" ({HtmlEncode(reason)})";

    private static string Time(Google.Protobuf.WellKnownTypes.Timestamp? time) =>
        time is null ? "-" : time.ToDateTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
