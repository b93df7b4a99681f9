using Google.Protobuf.WellKnownTypes;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Versions;

namespace UnlearnDashboard.Web.Tests.Versions;

public sealed class VersionTreeTests
{
    [Fact]
    public void Build_PlacesChildrenAfterParentOldestFirst()
    {
        var versions = new[]
        {
            Version("c2", "root", minute: 3),
            Version("root", "", minute: 1),
            Version("c1", "root", minute: 2),
            Version("grandchild", "c1", minute: 4),
        };

        var nodes = VersionTree.Build(versions, new Dictionary<string, VersionLineage>());

        Assert.Equal(["root", "c1", "grandchild", "c2"], nodes.Select(node => node.Id));
        Assert.Equal([0, 1, 2, 1], nodes.Select(node => node.Depth));
        Assert.Equal(["c1", "c2"], nodes[0].ChildIds);
        Assert.Equal("root", VersionTree.RootOf(nodes[2], nodes).Id);
    }

    [Fact]
    public void Build_MissingParent_StartsOwnTree()
    {
        var versions = new[] { Version("orphan", "deleted-parent", minute: 1) };

        var nodes = VersionTree.Build(versions, new Dictionary<string, VersionLineage>());

        var node = Assert.Single(nodes);
        Assert.Equal(0, node.Depth);
        Assert.Equal("imported", node.Origin);
        Assert.Same(node, VersionTree.RootOf(node, nodes));
    }

    [Fact]
    public void Check_UnmeasuredRatio_FailsRule()
    {
        var gate = new ReleaseGate { MinDisparateImpactRatio = 0.8, MaxAccuracyDrop = 0.01 };
        var candidate = new FairnessReport { Accuracy = 0.84 };
        var reference = new FairnessReport { Accuracy = 0.85 };

        var rules = GatePreview.Check(gate, candidate, reference);

        Assert.Equal(["min_disparate_impact_ratio", "max_accuracy_drop"], rules.Select(rule => rule.Rule));
        Assert.Null(rules[0].Value);
        Assert.False(rules[0].Passed);
        Assert.Equal(0.01, rules[1].Value!.Value, 12);
        Assert.True(rules[1].Passed);
    }

    [Fact]
    public void Check_GateWithoutRules_ReturnsNoRule()
    {
        var rules = GatePreview.Check(new ReleaseGate(), new FairnessReport(), new FairnessReport());

        Assert.Empty(rules);
    }

    private static ModelVersion Version(string id, string parentId, int minute) => new()
    {
        Id = id,
        ParentVersionId = parentId,
        CreatedAt = Timestamp.FromDateTime(new DateTime(2026, 12, 1, 9, minute, 0, DateTimeKind.Utc)),
    };
}
