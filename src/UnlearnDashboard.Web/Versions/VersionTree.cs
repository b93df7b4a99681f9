using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Components.Pages;

namespace UnlearnDashboard.Web.Versions;

/// <summary>One version of a model with its lineage, placed in the model's version tree.</summary>
/// <param name="Depth">Steps from the version's lineage root: 0 for a trained or imported version.</param>
/// <param name="ChildIds">Versions made from this one, oldest first.</param>
public sealed record VersionNode(ModelVersion Version, VersionLineage Lineage, int Depth, IReadOnlyList<string> ChildIds)
{
    public string Id => Version.Id;

    /// <summary>Returns how the version was made, for example "debias: Influence ranking and Newton removal".</summary>
    public string Origin => Lineage.RequestCase switch
    {
        VersionLineage.RequestOneofCase.TrainRequest => "trained",
        VersionLineage.RequestOneofCase.DebiasRequest => "debias: " + DescribeMethod(Lineage.DebiasRequest.Method),
        VersionLineage.RequestOneofCase.ErasureRequest => $"erasure of {Lineage.ErasureRequest.RowIds.Count} rows",
        _ => Lineage.JobId.Length == 0 ? "imported" : "unknown job",
    };

    private static string DescribeMethod(DebiasMethod method) =>
        MethodChoices.All.FirstOrDefault(choice => choice.Method == method)?.Label ?? method.ToString();
}

/// <summary>Orders a model's versions as a tree: each version is followed by its children, oldest first.</summary>
public static class VersionTree
{
    public const string Champion = "champion";
    public const string Candidate = "candidate";

    /// <summary>
    /// Returns the versions depth-first from their lineage roots. A version whose parent is not among
    /// <paramref name="versions"/> starts a tree of its own. A lineage missing from <paramref name="lineages"/>
    /// counts as empty.
    /// </summary>
    public static IReadOnlyList<VersionNode> Build(IReadOnlyList<ModelVersion> versions, IReadOnlyDictionary<string, VersionLineage> lineages)
    {
        var ids = versions.Select(version => version.Id).ToHashSet(StringComparer.Ordinal);
        var byCreation = versions.OrderBy(version => version.CreatedAt?.ToDateTimeOffset()).ThenBy(version => version.Id, StringComparer.Ordinal).ToList();
        var children = byCreation
            .Where(version => ids.Contains(version.ParentVersionId))
            .GroupBy(version => version.ParentVersionId)
            .ToDictionary(group => group.Key, group => group.ToList(), StringComparer.Ordinal);

        var nodes = new List<VersionNode>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in byCreation.Where(version => !ids.Contains(version.ParentVersionId)))
            Visit(root, 0);

        return nodes;

        void Visit(ModelVersion version, int depth)
        {
            if (!visited.Add(version.Id))
                return;

            var own = children.GetValueOrDefault(version.Id) ?? [];
            var lineage = lineages.GetValueOrDefault(version.Id) ?? new VersionLineage { VersionId = version.Id, ModelId = version.ModelId };
            nodes.Add(new VersionNode(version, lineage, depth, own.Select(child => child.Id).ToList()));
            foreach (var child in own)
                Visit(child, depth + 1);
        }
    }

    /// <summary>Returns the version its lineage starts from: the last ancestor present in <paramref name="nodes"/>.</summary>
    public static VersionNode RootOf(VersionNode node, IReadOnlyList<VersionNode> nodes)
    {
        var byId = nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var current = node;
        var seen = new HashSet<string>(StringComparer.Ordinal) { node.Id };
        while (byId.TryGetValue(current.Version.ParentVersionId, out var parent) && seen.Add(parent.Id))
            current = parent;
        return current;
    }
}
