using Grpc.Core;
using UnlearnDashboard.Compute.Access;
using UnlearnDashboard.Compute.Audit;
using UnlearnDashboard.Compute.Counterfactuals;
using UnlearnDashboard.Compute.Erasures;
using UnlearnDashboard.Compute.Jobs;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Models;
using UnlearnDashboard.Compute.Reports;
using UnlearnDashboard.Compute.Versions;
using UnlearnDashboard.Engine.Comparison;
using UnlearnDashboard.Engine.Fairness;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Services;

/// <summary>Builds the meeting pack for a pair of versions.</summary>
public sealed class ReportGrpcService(
    VersionComparisons comparisons,
    ModelCatalog models,
    JobStore jobs,
    CounterfactualCatalog counterfactuals,
    AuditTrail audit,
    VersionPromotions promotions,
    ErasureCatalog erasures,
    TimeProvider time) : Proto.ReportService.ReportServiceBase
{
    /// <summary>Largest number of audit entries read for each subject of the pack.</summary>
    private const int AuditEntriesPerSubject = 50;

    public override async Task<Proto.MeetingPack> GenerateMeetingPack(Proto.MeetingPackRequest request, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var compared = await comparisons.CompareAsync(new Proto.CompareVersionsRequest
        {
            BaselineVersionId = request.BaselineVersionId,
            CandidateVersionId = request.CandidateVersionId,
        }, cancellationToken);

        var pack = new Proto.MeetingPack
        {
            GeneratedAt = time.GetUtcNow().UtcDateTime.ToTimestamp(),
            Dataset = compared.Candidate.Dataset.ToProto(),
            Model = compared.Candidate.Model.ToProto(),
            Comparison = compared.Message,
            ExcludedRows = compared.Data.ExcludedRows,
        };
        pack.ImpactRows.AddRange(await ImpactRowsAsync(compared, request.IntersectionColumns, cancellationToken));

        var lineage = await LineageAsync(compared, cancellationToken);
        foreach (var version in lineage)
        {
            if (await jobs.FindAsync(version.JobId, cancellationToken) is { } job)
                pack.LineageJobs.Add(job.ToProto());
        }

        var setIds = pack.LineageJobs
            .Select(job => job.Result?.Debias?.CounterfactualSetId ?? "")
            .Where(id => id.Length > 0)
            .Distinct();
        foreach (string setId in setIds)
            pack.Approvals.Add((await counterfactuals.GetAsync(setId, "counterfactual_set_id", cancellationToken)).ToProto());

        var (verdict, checkedNow) = await promotions.VerdictOfAsync(compared.Candidate.Version.Id, context.Caller().UserName, cancellationToken);
        pack.ReleaseGate = verdict;
        pack.ReleaseGateCheckedNow = checkedNow;
        pack.Erasures.AddRange(await erasures.ListAsync(compared.Candidate.Dataset.Id, cancellationToken));

        var subjects = new[] { $"version/{compared.Baseline.Version.Id}", $"version/{compared.Candidate.Version.Id}" }
            .Concat(pack.LineageJobs.Select(job => $"job/{job.Id}"))
            .Concat(pack.Approvals.Select(set => CounterfactualCatalog.Subject(set.Id)))
            .Concat(pack.Erasures.Select(erasure => $"erasure/{erasure.Id}"))
            .Distinct();
        var entries = new List<Storage.AuditEntryRow>();
        foreach (string subject in subjects)
            entries.AddRange(await audit.ListAsync(new AuditFilter(null, null, subject, null, null, 0, AuditEntriesPerSubject), cancellationToken));
        pack.AuditExcerpt.AddRange(entries.DistinctBy(e => e.Sequence).OrderBy(e => e.Sequence).Select(AuditGrpcService.ToProto));
        pack.AuditCheck = AuditGrpcService.ToProto(await audit.VerifyAsync(cancellationToken));

        pack.Html = MeetingPackHtml.Render(pack);
        return pack;
    }

    /// <summary>Returns the versions from the candidate back to, but not including, the baseline, oldest first.</summary>
    private async Task<List<Storage.ModelVersionRow>> LineageAsync(ComparedVersions compared, CancellationToken cancellationToken)
    {
        var lineage = new List<Storage.ModelVersionRow>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var version = compared.Candidate.Version; version is not null && version.Id != compared.Baseline.Version.Id && seen.Add(version.Id);)
        {
            lineage.Add(version);
            version = version.ParentVersionId is { } parent ? await models.FindVersionAsync(parent, cancellationToken) : null;
        }

        lineage.Reverse();
        return lineage;
    }

    private static async Task<List<Proto.ImpactRow>> ImpactRowsAsync(
        ComparedVersions compared,
        IEnumerable<string> intersectionColumns,
        CancellationToken cancellationToken)
    {
        string sensitive = compared.Data.Definition.SensitiveColumn;
        var message = compared.Message;
        var rows = ToImpactRows(sensitive, message.BaselineReport, message.CandidateReport, message.Impacts, []);
        foreach (string column in intersectionColumns)
        {
            var options = new DetailedFairnessOptions { GroupColumns = [sensitive, column] };
            var (baseline, candidate) = await Task.Run(() =>
            {
                using var before = compared.Baseline.ToTrainedModel();
                using var after = compared.Candidate.ToTrainedModel();
                return (FairnessEvaluator.EvaluateDetailed(before, compared.Data, "test", options).Report,
                    FairnessEvaluator.EvaluateDetailed(after, compared.Data, "test", options).Report);
            }, cancellationToken);
            var impacts = VersionComparer.Impacts(baseline, candidate).Select(ComparisonMapper.ToProto).ToList();
            rows.AddRange(ToImpactRows(baseline.SensitiveAttribute, baseline.ToProto(), candidate.ToProto(), impacts, baseline.TooSmallGroups));
        }

        return rows;
    }

    /// <summary>Turns both versions' group rates and their impact ratios into table rows, one per group and version.</summary>
    private static List<Proto.ImpactRow> ToImpactRows(
        string grouping,
        Proto.FairnessReport baseline,
        Proto.FairnessReport candidate,
        IReadOnlyList<Proto.GroupImpact> impacts,
        IReadOnlyList<TooSmallGroup> tooSmall)
    {
        var rows = new List<Proto.ImpactRow>();
        foreach (var (name, report, isBaseline) in new[] { ("baseline", baseline, true), ("candidate", candidate, false) })
        {
            foreach (var group in report.Groups)
            {
                var row = new Proto.ImpactRow { Grouping = grouping, Group = group.Group, Version = name, Count = group.Count };
                if (group.HasSelectionRate)
                    row.SelectionRate = group.SelectionRate;

                var impact = impacts.FirstOrDefault(i => i.Group == group.Group);
                if (impact is not null && (isBaseline ? impact.HasBaselineRatio : impact.HasCandidateRatio))
                {
                    row.ImpactRatio = isBaseline ? impact.BaselineRatio : impact.CandidateRatio;
                    row.BelowFourFifths = isBaseline ? impact.BaselineBelowFourFifths : impact.CandidateBelowFourFifths;
                }

                rows.Add(row);
            }

            rows.AddRange(tooSmall.Select(g => new Proto.ImpactRow { Grouping = grouping, Group = g.Group, Version = name, Count = g.Count, NotScoredReason = g.Reason }));
        }

        return rows;
    }
}
