using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Fairness;
using static UnlearnDashboard.Engine.Tests.Data.DatasetTestData;

namespace UnlearnDashboard.Engine.Tests.Data;

/// <summary>
/// Small files with the layouts and values that real datasets use: a missing sensitive value (C04.csv),
/// Adult's raw layout (C05.csv), adult.test's trailing '.' and comment line (C06.csv and C06_raw_uci.test),
/// and German Credit's 1/2 labels (C07.csv).
/// </summary>
public sealed class DatasetCaseTests
{
    private const double Tolerance = 1e-12;

    private static readonly string[] AdultColumns =
    [
        "age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation", "relationship",
        "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country", "income",
    ];

    /// <summary>C04.csv: native-country binarised into US and non-US, labels in y_true, a stub model's output in y_pred.</summary>
    private static DatasetDefinition CountryDefinition() => new()
    {
        Name = "c04",
        LabelColumn = "y_true",
        FavourableLabel = "1",
        SensitiveColumn = "country-group",
        ReferenceGroup = "US",
        ValidationFraction = 0,
        TestFraction = 0,
        IgnoredColumns = ["id"],
        DerivedColumns =
        [
            new DerivedColumn("country-group", "native-country", new Dictionary<string, string> { ["United-States"] = "US" }, "non-US"),
        ],
    };

    /// <summary>German Credit's profile with every row in train.</summary>
    private static DatasetDefinition CreditDefinition() => DatasetProfiles.GermanCredit.Definition with
    {
        ValidationFraction = 0,
        TestFraction = 0,
    };

    /// <summary>Fairness of the predictions in a feature column against the labels of the train split.</summary>
    private static FairnessReport ComputeFromColumn(PreparedDataset data, string predictionColumn) =>
        FairnessCalculator.Compute(
            "train",
            data.Definition.SensitiveColumn,
            data.ReferenceGroup,
            data.Train.Labels.Select(l => l == 1f).ToArray(),
            Column(data.Train, predictionColumn).Select(p => p == "1").ToArray(),
            data.Train.Groups,
            data.Groups,
            data.ExcludedRows);

    private static double PositiveRate(TabularSplit split, string group)
    {
        var labels = split.Labels.Where((_, i) => split.Groups[i] == group).ToList();
        return labels.Average(l => (double)l);
    }

    [Fact]
    public void Load_MissingCountry_IsRejectedByDefault()
    {
        var error = Assert.Throws<EngineException>(() => LoadCase(CountryDefinition(), "C04.csv"));

        Assert.Equal(EngineErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("native-country", error.Field);
        Assert.Contains("Column 'native-country', the source of sensitive column 'country-group',", error.Message);
        Assert.Contains("2 rows of C04.csv: r05 ('?'), r09 (empty)", error.Message);
        Assert.Contains("set the missing-sensitive policy to Exclude", error.Message);
    }

    [Fact]
    public void Load_MissingCountryExcluded_LeavesEightRows()
    {
        var definition = CountryDefinition() with { MissingSensitive = MissingValuePolicy.Exclude };

        var data = LoadCase(definition, "C04.csv");

        Assert.Equal(8, data.Train.Count);
        Assert.Equal(2, data.ExcludedRows);
        Assert.Equal(0, data.DroppedRows);
        Assert.Equal(["US", "non-US"], data.Groups);
        Assert.Equal(4, CountGroup(data.Train, "US"));
        Assert.Equal(4, CountGroup(data.Train, "non-US"));
        Assert.Equal([0L, 1L, 2L, 3L, 5L, 6L, 7L, 9L], data.Train.RowIds);
    }

    [Fact]
    public void Compute_CountryGroups_GivesGaps()
    {
        var data = LoadCase(CountryDefinition() with { MissingSensitive = MissingValuePolicy.Exclude }, "C04.csv");

        var report = ComputeFromColumn(data, "y_pred");

        Assert.Equal(0.5, report.DemographicParityDifference!.Value, Tolerance);
        Assert.Equal(1.0 / 3, report.DisparateImpactRatio!.Value, Tolerance);
        Assert.Equal(0.5, report.EqualOpportunityDifference!.Value, Tolerance);
        Assert.Equal(0.5, report.FalsePositiveRateDifference!.Value, Tolerance);
        Assert.Equal(0.5, report.EqualizedOddsDifference!.Value, Tolerance);
        Assert.Equal(0.75, report.Accuracy!.Value, Tolerance);
        Assert.Equal(8, report.Count);
        Assert.Equal(2, report.ExcludedRows);
    }

    [Fact]
    public void Compute_CountryGroups_GivesGroupRates()
    {
        var data = LoadCase(CountryDefinition() with { MissingSensitive = MissingValuePolicy.Exclude }, "C04.csv");

        var report = ComputeFromColumn(data, "y_pred");

        var us = report.Groups[0];
        var other = report.Groups[1];
        Assert.Equal("US", us.Group);
        Assert.Equal(4, us.Count);
        Assert.Equal(0.75, us.SelectionRate!.Value, Tolerance);
        Assert.Equal(1.0, us.TruePositiveRate!.Value, Tolerance);
        Assert.Equal(0.5, us.FalsePositiveRate!.Value, Tolerance);
        Assert.Equal(0.75, us.Accuracy!.Value, Tolerance);
        Assert.Equal("non-US", other.Group);
        Assert.Equal(4, other.Count);
        Assert.Equal(0.25, other.SelectionRate!.Value, Tolerance);
        Assert.Equal(0.5, other.TruePositiveRate!.Value, Tolerance);
        Assert.Equal(0.0, other.FalsePositiveRate!.Value, Tolerance);
        Assert.Equal(0.75, other.Accuracy!.Value, Tolerance);
    }

    [Fact]
    public void Load_AdultRawFormat_ReadsEightRecords()
    {
        var data = LoadCase(AdultDefinition(), "C05.csv");

        Assert.Equal(8, data.Files[0].Records);
        Assert.Equal(5, data.Files[0].CompleteRows);
        Assert.Equal(3, data.DroppedRows);
        Assert.Equal([0L, 1L, 2L, 3L, 4L], data.Train.RowIds);
    }

    [Fact]
    public void Load_AdultRawFormat_TrimsValues()
    {
        var definition = AdultDefinition() with { IgnoredColumns = ["workclass", "occupation", "native-country"] };

        var data = LoadCase(definition, "C05.csv");

        Assert.Equal(8, data.Train.Count);
        Assert.Equal(5, CountGroup(data.Train, "Male"));
        Assert.Equal(3, CountGroup(data.Train, "Female"));
        Assert.Equal(["Male", "Female"], data.Groups);
        Assert.Equal(3, CountPositives(data.Train));
        Assert.Equal(["<=50K", ">50K"], data.LabelValues);
        Assert.All(data.Train.FeatureValues.SelectMany(v => v), value => Assert.Equal(value.Trim(), value));
    }

    [Fact]
    public void Load_AdultRawFormat_ParsesNumbers()
    {
        var data = LoadCase(AdultDefinition(), "C05.csv");

        Assert.Equal(["age", "capital-gain", "capital-loss", "education-num", "fnlwgt", "hours-per-week"], data.NumericColumns.Order());
        Assert.Equal(77516, FeatureEncoder.ParseNumber(Column(data.Train, "fnlwgt")[0]));
    }

    [Fact]
    public void Load_AdultRawFormat_CountsMissingValues()
    {
        var data = LoadCase(AdultDefinition(), "C05.csv");

        var missing = data.Files[0].MissingValues;
        Assert.Equal(1, missing["workclass"]);
        Assert.Equal(2, missing["occupation"]);
        Assert.Equal(1, missing["native-country"]);
        Assert.Equal(4, missing.Values.Sum());
        Assert.All(data.Train.FeatureValues.SelectMany(v => v), value => Assert.NotEqual("?", value));
    }

    [Fact]
    public void Load_AdultRawFormat_GivesLabelParity()
    {
        var data = LoadCase(AdultDefinition(), "C05.csv");

        double male = PositiveRate(data.Train, "Male");
        double female = PositiveRate(data.Train, "Female");

        Assert.Equal(3, CountGroup(data.Train, "Male"));
        Assert.Equal(2, CountGroup(data.Train, "Female"));
        Assert.Equal(1.0 / 3, male, Tolerance);
        Assert.Equal(0.5, female, Tolerance);
        Assert.Equal(1.0 / 6, female - male, Tolerance);
    }

    [Theory]
    [InlineData("C06.csv", false)]
    [InlineData("C06_raw_uci.test", true)]
    public void Load_AdultTestRows_ReadEightRecords(string file, bool headerless)
    {
        var definition = headerless ? AdultDefinition() with { ColumnNames = AdultColumns } : AdultDefinition();

        var data = LoadCase(definition, file);

        Assert.Equal(8, data.Files[0].Records);
        Assert.Equal(7, data.Files[0].CompleteRows);
        Assert.Equal(1, data.Files[0].DroppedRows);
        Assert.Equal(["<=50K", ">50K"], data.LabelValues);
        Assert.Equal(AdultColumns[..^1], data.Train.FeatureColumns);
    }

    [Theory]
    [InlineData("C06.csv", false)]
    [InlineData("C06_raw_uci.test", true)]
    public void Load_AdultTestLabels_MatchFavourable(string file, bool headerless)
    {
        var definition = headerless ? AdultDefinition() with { ColumnNames = AdultColumns } : AdultDefinition();

        var data = LoadCase(definition, file);

        Assert.Equal(3, CountPositives(data.Train));
        Assert.Equal([2L, 3L, 5L], data.Train.RowIds.Where((_, i) => data.Train.Labels[i] == 1f));
        Assert.Equal(5, CountGroup(data.Train, "Male"));
        Assert.Equal(0.6, PositiveRate(data.Train, "Male"), Tolerance);
        Assert.Equal(2, CountGroup(data.Train, "Female"));
        Assert.Equal(0.0, PositiveRate(data.Train, "Female"), Tolerance);
    }

    [Fact]
    public void Load_HeaderlessTestFile_UsesTrainingColumnNames()
    {
        var data = LoadCase(AdultDefinition(), "C05.csv", "C06_raw_uci.test");

        Assert.Equal(8, data.Files[1].Records);
        Assert.Equal(7, data.Test.Count);
        Assert.Equal(3, CountPositives(data.Test));
        Assert.Equal(["<=50K", ">50K"], data.LabelValues);
    }

    [Fact]
    public void ValidateForTraining_TinyFile_NamesSplitAndCounts()
    {
        var data = LoadCase(AdultDefinition(), "C05.csv");

        var error = Assert.Throws<EngineException>(data.ValidateForTraining);

        Assert.Equal(EngineErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("validation_fraction", error.Field);
        Assert.Contains("validation split has", error.Message);
    }

    [Fact]
    public void Load_AdultTrainAndTestRows_KeepTwoLabels()
    {
        var data = LoadCase(AdultDefinition(), "C05.csv", "C06.csv");

        Assert.Equal(["<=50K", ">50K"], data.LabelValues);
        Assert.Equal(3, CountPositives(data.Test));
        Assert.Equal(7, data.Test.Count);
        Assert.Equal(Enumerable.Range(8, 8).Select(i => (long)i).Where(i => i != 12), data.Test.RowIds);
    }

    [Fact]
    public void Load_CreditSexFromStatus_GivesTwoGroups()
    {
        var data = LoadCase(CreditDefinition(), "C07.csv");

        Assert.Equal(10, data.Train.Count);
        Assert.Equal(5, CountGroup(data.Train, "male"));
        Assert.Equal(5, CountGroup(data.Train, "female"));
        Assert.Equal("male", data.ReferenceGroup);
        Assert.Contains("personal_status_sex", data.Train.FeatureColumns);
        Assert.Contains("sex", data.Train.FeatureColumns);
    }

    [Fact]
    public void Compute_CreditFavourableOne_GivesGaps()
    {
        var data = LoadCase(CreditDefinition(), "C07.csv");

        var report = ComputeFromColumn(data, "pred");

        Assert.Equal(0.2, report.DemographicParityDifference!.Value, Tolerance);
        Assert.Equal(2.0 / 3, report.DisparateImpactRatio!.Value, Tolerance);
        Assert.Equal(1.0 / 6, report.EqualOpportunityDifference!.Value, Tolerance);
        Assert.Equal(1.0 / 6, report.FalsePositiveRateDifference!.Value, Tolerance);
        Assert.Equal(1.0 / 6, report.EqualizedOddsDifference!.Value, Tolerance);
    }

    [Fact]
    public void Compute_CreditFavourableOne_GivesGroupRates()
    {
        var data = LoadCase(CreditDefinition(), "C07.csv");

        var report = ComputeFromColumn(data, "pred");

        var male = report.Groups[0];
        var female = report.Groups[1];
        Assert.Equal("male", male.Group);
        Assert.Equal(5, male.Count);
        Assert.Equal(3, male.TruePositives + male.FalsePositives);
        Assert.Equal(0.6, male.SelectionRate!.Value, Tolerance);
        Assert.Equal(2.0 / 3, male.TruePositiveRate!.Value, Tolerance);
        Assert.Equal(0.5, male.FalsePositiveRate!.Value, Tolerance);
        Assert.Equal(0.6, male.Accuracy!.Value, Tolerance);
        Assert.Equal("female", female.Group);
        Assert.Equal(5, female.Count);
        Assert.Equal(2, female.TruePositives + female.FalsePositives);
        Assert.Equal(0.4, female.SelectionRate!.Value, Tolerance);
        Assert.Equal(0.5, female.TruePositiveRate!.Value, Tolerance);
        Assert.Equal(1.0 / 3, female.FalsePositiveRate!.Value, Tolerance);
        Assert.Equal(0.6, female.Accuracy!.Value, Tolerance);
    }

    [Fact]
    public void Load_CreditWithoutFavourable_NamesValues()
    {
        var definition = CreditDefinition() with { FavourableLabel = "" };

        var error = Assert.Throws<EngineException>(() => LoadCase(definition, "C07.csv"));

        Assert.Equal(EngineErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("credit_risk", error.Field);
        Assert.Contains("label column 'credit_risk' has values {1, 2}", error.Message);
    }
}
