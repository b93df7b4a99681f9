using UnlearnDashboard.Engine.Counterfactuals;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Tests.Data;

namespace UnlearnDashboard.Engine.Tests.Counterfactuals;

/// <summary>Loads Adult and German Credit once, because parsing Adult takes a moment.</summary>
public sealed class DemoDataFixture
{
    public PreparedDataset Adult { get; } = DatasetProfiles.Load(DatasetProfiles.Adult);

    public PreparedDataset German { get; } = DatasetProfiles.Load(DatasetProfiles.GermanCredit);
}

public sealed class CounterfactualGeneratorTests(DemoDataFixture fixture) : IClassFixture<DemoDataFixture>
{
    private static CounterfactualSpec AdultSpec(int maxRows = 500, int seed = 0) =>
        CounterfactualDefaults.Adult with { MaxRows = maxRows, Seed = seed };

    [Fact]
    public void Generate_Adult_ChangesOnlyMappedColumns()
    {
        var set = CounterfactualGenerator.FromTraining(AdultSpec(), fixture.Adult, CancellationToken.None);

        Assert.Equal(["sex", "relationship"], set.MappedColumns);
        Assert.Equal(set.Original.RowIds, set.Counterfactual.RowIds);
        Assert.Equal(set.Original.Labels, set.Counterfactual.Labels);
        int sex = set.Original.FeatureColumns.ToList().IndexOf("sex");
        int relationship = set.Original.FeatureColumns.ToList().IndexOf("relationship");
        for (int c = 0; c < set.Original.FeatureColumns.Count; c++)
        {
            if (c == sex || c == relationship)
                continue;
            Assert.Equal(set.Original.FeatureValues[c], set.Counterfactual.FeatureValues[c]);
        }

        for (int row = 0; row < set.Count; row++)
        {
            string before = set.Original.FeatureValues[sex][row];
            string after = set.Counterfactual.FeatureValues[sex][row];
            Assert.Equal(before == "Male" ? "Female" : "Male", after);
            Assert.Equal(after, set.Counterfactual.Groups[row]);

            string expectedRelationship = set.Original.FeatureValues[relationship][row] switch
            {
                "Husband" => "Wife",
                "Wife" => "Husband",
                var other => other,
            };
            Assert.Equal(expectedRelationship, set.Counterfactual.FeatureValues[relationship][row]);
        }
    }

    [Fact]
    public void Generate_Adult_RowsComeFromTraining()
    {
        var set = CounterfactualGenerator.FromTraining(AdultSpec(), fixture.Adult, CancellationToken.None);

        var train = fixture.Adult.Train;
        var positions = train.RowIds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        for (int row = 0; row < set.Count; row++)
        {
            int source = positions[set.Original.RowIds[row]];
            for (int c = 0; c < train.FeatureColumns.Count; c++)
                Assert.Equal(train.FeatureValues[c][source], set.Original.FeatureValues[c][row]);
        }
    }

    [Fact]
    public void Generate_Cap_KeepsStrataShares()
    {
        var set = CounterfactualGenerator.FromTraining(AdultSpec(maxRows: 1000), fixture.Adult, CancellationToken.None);

        Assert.Equal(1000, set.Count);
        Assert.Equal(set.Original.RowIds.Length, set.Original.RowIds.Distinct().Count());
        var train = fixture.Adult.Train;
        foreach (var stratum in Enumerable.Range(0, train.Count).CountBy(i => (train.Groups[i], train.Labels[i])))
        {
            double expected = 1000.0 * stratum.Value / train.Count;
            int actual = Enumerable.Range(0, set.Count).Count(i => (set.Original.Groups[i], set.Original.Labels[i]) == stratum.Key);
            Assert.InRange(actual, Math.Floor(expected), Math.Ceiling(expected));
        }
    }

    [Fact]
    public void Generate_SameSeed_IsDeterministic()
    {
        var first = CounterfactualGenerator.FromTraining(AdultSpec(seed: 4), fixture.Adult, CancellationToken.None);
        var second = CounterfactualGenerator.FromTraining(AdultSpec(seed: 4), fixture.Adult, CancellationToken.None);
        var other = CounterfactualGenerator.FromTraining(AdultSpec(seed: 5), fixture.Adult, CancellationToken.None);

        Assert.Equal(first.Original.RowIds, second.Original.RowIds);
        Assert.NotEqual(first.Original.RowIds, other.Original.RowIds);
    }

    [Fact]
    public void Generate_CapAboveRows_TakesEveryRow()
    {
        var set = CounterfactualGenerator.FromTraining(CounterfactualDefaults.GermanCredit with { MaxRows = 5000 }, fixture.German, CancellationToken.None);

        Assert.Equal(fixture.German.Train.Count, set.Count);
        Assert.Equal(fixture.German.Train.RowIds, set.Original.RowIds);
    }

    [Fact]
    public void Generate_German_MapsPersonalStatus()
    {
        var set = CounterfactualGenerator.FromTraining(CounterfactualDefaults.GermanCredit, fixture.German, CancellationToken.None);

        var status = DatasetTestData.Column(set.Original, "personal_status_sex");
        var mapped = DatasetTestData.Column(set.Counterfactual, "personal_status_sex");
        var sex = DatasetTestData.Column(set.Counterfactual, "sex");
        for (int row = 0; row < set.Count; row++)
        {
            Assert.Equal(status[row] == "A92" ? "A93" : "A92", mapped[row]);
            Assert.Equal(status[row] == "A92" ? "male" : "female", sex[row]);
        }
    }

    [Fact]
    public void Generate_ExternalRows_UseTrainingLevels()
    {
        var external = fixture.Adult.Test.Select(Enumerable.Range(0, 50).Where(i => fixture.Adult.Test.Groups[i] == "Male").ToList());

        var set = CounterfactualGenerator.Generate(AdultSpec() with { Source = CounterfactualSource.ExternalRows }, external, fixture.Adult.Train, CancellationToken.None);

        Assert.Equal(external.RowIds, set.Original.RowIds);
        Assert.All(set.Counterfactual.Groups, group => Assert.Equal("Female", group));
    }

    [Fact]
    public void FromExternalRows_UnmappedGroup_NamesRowAndValue()
    {
        var external = fixture.Adult.Test.Select(Enumerable.Range(0, 10).ToList());
        var spec = AdultSpec() with
        {
            Source = CounterfactualSource.ExternalRows,
            SensitiveMap = new Dictionary<string, string> { ["Male"] = "Female" },
        };
        int firstFemale = Enumerable.Range(0, external.Count).First(i => external.Groups[i] == "Female");

        var error = Assert.Throws<EngineException>(() => CounterfactualGenerator.FromExternalRows(spec, external, fixture.Adult, CancellationToken.None));

        Assert.Equal("external_rows_csv", error.Field);
        Assert.Equal("Female", error.Value);
        Assert.Contains($"Uploaded row {firstFemale + 1} has sex 'Female', which the sensitive map does not change", error.Message);
    }

    [Fact]
    public void FromExternalRows_UnseenCategory_NamesRowAndValue()
    {
        var external = fixture.Adult.Test.Select(Enumerable.Range(0, 5).ToList());
        int workclass = external.FeatureColumns.ToList().IndexOf("workclass");
        var values = external.FeatureValues.Select(column => column.ToArray()).ToList();
        values[workclass][2] = "Martian-gov";
        var changed = new TabularSplit("test", external.FeatureColumns, values, external.RowIds, external.Labels, external.Groups);
        var spec = AdultSpec() with { Source = CounterfactualSource.ExternalRows };

        var error = Assert.Throws<EngineException>(() => CounterfactualGenerator.FromExternalRows(spec, changed, fixture.Adult, CancellationToken.None));
        var set = CounterfactualGenerator.FromExternalRows(spec, external, fixture.Adult, CancellationToken.None);

        Assert.Equal("external_rows_csv", error.Field);
        Assert.Equal("Martian-gov", error.Value);
        Assert.Contains("Uploaded row 3 has workclass 'Martian-gov'", error.Message);
        Assert.Equal(5, set.Count);
    }

    [Fact]
    public void Validate_UnknownColumn_NamesColumn()
    {
        var spec = AdultSpec() with { ProxyMaps = [new ColumnValueMap("relation", new Dictionary<string, string> { ["Husband"] = "Wife" })] };

        var error = Assert.Throws<EngineException>(() => CounterfactualGenerator.FromTraining(spec, fixture.Adult, CancellationToken.None));

        Assert.Equal(EngineErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("proxy_columns", error.Field);
        Assert.Equal("relation", error.Value);
    }

    [Fact]
    public void Validate_MapValueNotALevel_NamesValue()
    {
        var spec = AdultSpec() with { SensitiveMap = new Dictionary<string, string> { ["Male"] = "female" } };

        var error = Assert.Throws<EngineException>(() => CounterfactualGenerator.FromTraining(spec, fixture.Adult, CancellationToken.None));

        Assert.Equal("sensitive_column", error.Field);
        Assert.Equal("female", error.Value);
        Assert.Contains("Female", error.Message);
    }

    [Fact]
    public void Validate_SensitiveValueToItself_NamesValue()
    {
        var spec = AdultSpec() with { SensitiveMap = new Dictionary<string, string> { ["Male"] = "Female", ["Female"] = "Female" } };

        var error = Assert.Throws<EngineException>(() => CounterfactualGenerator.FromTraining(spec, fixture.Adult, CancellationToken.None));

        Assert.Equal("sensitive_map", error.Field);
        Assert.Equal("Female", error.Value);
        Assert.Contains("to itself", error.Message);
    }

    [Fact]
    public void Validate_ProxyValueNotALevel_NamesValue()
    {
        var spec = AdultSpec() with { ProxyMaps = [new ColumnValueMap("relationship", new Dictionary<string, string> { ["Husband"] = "Spouse" })] };

        var error = Assert.Throws<EngineException>(() => CounterfactualGenerator.FromTraining(spec, fixture.Adult, CancellationToken.None));

        Assert.Equal("proxy_columns", error.Field);
        Assert.Equal("Spouse", error.Value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Validate_CapBelowOne_NamesField(int cap)
    {
        var error = Assert.Throws<EngineException>(() => CounterfactualGenerator.FromTraining(AdultSpec(maxRows: cap), fixture.Adult, CancellationToken.None));

        Assert.Equal("max_rows", error.Field);
        Assert.Equal(cap.ToString(), error.Value);
    }

    [Fact]
    public void Validate_ColumnMappedTwice_NamesColumn()
    {
        var spec = AdultSpec() with { ProxyMaps = [new ColumnValueMap("sex", new Dictionary<string, string> { ["Male"] = "Female" })] };

        var error = Assert.Throws<EngineException>(() => CounterfactualGenerator.FromTraining(spec, fixture.Adult, CancellationToken.None));

        Assert.Equal("proxy_columns", error.Field);
        Assert.Equal("sex", error.Value);
    }

    [Fact]
    public void Defaults_UnknownDataset_SwapsTwoGroups()
    {
        var data = DatasetTestData.Load(DatasetTestData.Definition(), "sex,x,y\na,1,0\nb,2,1\na,3,1\nb,4,0\n");

        var spec = CounterfactualDefaults.For(data);

        Assert.Equal("sex", spec.SensitiveColumn);
        Assert.Equal("b", spec.SensitiveMap["a"]);
        Assert.Equal("a", spec.SensitiveMap["b"]);
        Assert.Empty(spec.ProxyMaps);
    }

    [Fact]
    public void Defaults_GermanUnderAnotherName_MapsSourceColumnLikeDemo()
    {
        // The same file and derivation as the demo profile, under a name the defaults do not know.
        var renamed = DatasetProfiles.Load(DatasetProfiles.GermanCredit with
        {
            Definition = DatasetProfiles.GermanCredit.Definition with { Name = "my-german" },
        });

        var spec = CounterfactualDefaults.For(renamed);

        Assert.Equal(CounterfactualDefaults.GermanCredit.SensitiveMap, spec.SensitiveMap);
        var map = Assert.Single(spec.ProxyMaps);
        Assert.Equal("personal_status_sex", map.Column);
        Assert.Equal(CounterfactualDefaults.GermanCredit.ProxyMaps[0].Values.OrderBy(p => p.Key), map.Values.OrderBy(p => p.Key));
    }

    [Fact]
    public void Defaults_DerivedFromNumericColumn_HasNoProxy()
    {
        var definition = DatasetTestData.Definition() with
        {
            SensitiveColumn = "band",
            DerivedColumns = [new DerivedColumn("band", "x", new Dictionary<string, string> { ["1"] = "low", ["2"] = "low" }, "high")],
        };
        var data = DatasetTestData.Load(definition, "sex,x,y\na,1,0\nb,2,1\na,3,1\nb,4,0\n");

        var spec = CounterfactualDefaults.For(data);

        Assert.Equal("high", spec.SensitiveMap["low"]);
        Assert.Empty(spec.ProxyMaps);
    }

    [Fact]
    public void Defaults_ThreeGroups_RejectsWithoutSpec()
    {
        var data = DatasetTestData.Load(DatasetTestData.Definition(), "sex,x,y\na,1,0\nb,2,1\nc,3,1\na,4,0\n");

        var error = Assert.Throws<EngineException>(() => CounterfactualDefaults.For(data));

        Assert.Equal(EngineErrorKind.FailedPrecondition, error.Kind);
        Assert.Equal("counterfactual_set", error.Field);
    }
}
