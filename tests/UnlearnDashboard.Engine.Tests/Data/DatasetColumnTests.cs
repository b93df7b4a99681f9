using UnlearnDashboard.Engine.Data;
using static UnlearnDashboard.Engine.Tests.Data.DatasetTestData;

namespace UnlearnDashboard.Engine.Tests.Data;

/// <summary>Labels, missing values, derived columns, groups, numeric columns and row ids.</summary>
public sealed class DatasetColumnTests
{
    private static readonly Dictionary<string, string> UsMap = new() { ["United-States"] = "US" };

    [Fact]
    public void Load_Labels_AreOneForFavourable()
    {
        const string csv = "a,sex,y\nx,Male, >50K.\ny,Female, <=50K\nz,Female,>50K\n";
        var definition = Definition() with { FavourableLabel = ">50K" };

        var data = Load(definition, csv);

        Assert.Equal([1f, 0f, 1f], data.Train.Labels);
        Assert.Equal(["<=50K", ">50K"], data.LabelValues);
    }

    [Fact]
    public void Load_FavourableWithTrailingDot_IsNormalised()
    {
        const string csv = "a,sex,y\nx,Male,yes\ny,Female,no\n";
        var definition = Definition() with { FavourableLabel = " yes. " };

        var data = Load(definition, csv);

        Assert.Equal([1f, 0f], data.Train.Labels);
    }

    [Fact]
    public void Load_OnlyOneTrailingDot_IsDropped()
    {
        const string csv = "a,sex,y\nx,Male,1..\ny,Female,1.\n";

        var data = Load(Definition(), csv);

        Assert.Equal(["1", "1."], data.LabelValues);
        Assert.Equal([0f, 1f], data.Train.Labels);
    }

    [Fact]
    public void Load_ThreeLabelValues_IsInvalid()
    {
        const string csv = "a,sex,y\nx,Male,0\ny,Female,1\nz,Male,2\n";

        var error = LoadInvalid(Definition(), csv);

        Assert.Equal("y", error.Field);
        Assert.Contains("Label column 'y' must have exactly two values", error.Message);
        Assert.Contains("{0, 1, 2}", error.Message);
    }

    [Fact]
    public void Load_OneLabelValue_IsInvalid()
    {
        const string csv = "a,sex,y\nx,Male,1\ny,Female,1.\n";

        var error = LoadInvalid(Definition(), csv);

        Assert.Contains("but it has 1: {1}", error.Message);
    }

    [Fact]
    public void Load_FavourableAbsent_NamesColumnValueAndValues()
    {
        const string csv = "a,sex,y\nx,Male,good\ny,Female,bad\n";
        var definition = Definition() with { FavourableLabel = "1" };

        var error = LoadInvalid(definition, csv);

        Assert.Equal("favourable_label", error.Field);
        Assert.Equal("1", error.Value);
        Assert.Contains("Favourable label '1' is not a value of label column 'y', whose values are {bad, good}", error.Message);
    }

    [Fact]
    public void Load_EmptyFavourable_UsesOne()
    {
        const string csv = "a,sex,y\nx,Male,0\ny,Female,1\n";
        var definition = Definition() with { FavourableLabel = "" };

        var data = Load(definition, csv);

        Assert.Equal([0f, 1f], data.Train.Labels);
        Assert.Equal("1", data.Definition.FavourableLabel);
    }

    [Fact]
    public void Load_MissingLabel_NamesColumnAndLines()
    {
        const string csv = "a,sex,y\nx,Male,1\ny,Female,?\nz,Male,\nw,Female,0\n";

        var error = LoadInvalid(Definition(), csv);

        Assert.Equal("y", error.Field);
        Assert.Contains("Label column 'y' has missing values in 2 rows of train.csv: line 3 ('?'), line 4 (empty)", error.Message);
    }

    [Fact]
    public void Load_MissingLabelWithExclude_CountsExcludedRows()
    {
        const string csv = "a,sex,y\nx,Male,1\ny,Female,?\nz,Male,\nw,Female,0\n";
        var definition = Definition() with { MissingLabel = MissingValuePolicy.Exclude };

        var data = Load(definition, csv);

        Assert.Equal(2, data.ExcludedRows);
        Assert.Equal(0, data.DroppedRows);
        Assert.Equal([0L, 3L], data.Train.RowIds);
    }

    [Fact]
    public void Load_MissingSensitive_NamesColumnAndLines()
    {
        const string csv = "a,sex,y\nx,Male,1\ny,?,0\nz,Female,1\n";

        var error = LoadInvalid(Definition(), csv);

        Assert.Equal("sex", error.Field);
        Assert.Contains("Sensitive column 'sex' has missing values in 1 row of train.csv: line 3 ('?')", error.Message);
    }

    [Fact]
    public void Load_ManyMissingSensitive_ListsTenRows()
    {
        string csv = "a,sex,y\nx,Male,1\ny,Female,0\n" + string.Concat(Enumerable.Repeat("z,?,1\n", 12));

        var error = LoadInvalid(Definition(), csv);

        Assert.Contains("12 rows of train.csv: line 4 ('?')", error.Message);
        Assert.Contains("line 13 ('?') and 2 more", error.Message);
    }

    [Fact]
    public void Load_MissingSensitiveInTestFile_NamesFile()
    {
        var definition = Definition() with { ValidationFraction = 0.1 };

        var error = LoadInvalid(definition, "a,sex,y\nx,Male,1\ny,Female,0\n", "a,sex,y\nx,,1\ny,Male,0\n");

        Assert.Contains("1 row of test.csv: line 2 (empty)", error.Message);
    }

    [Fact]
    public void Load_DerivedColumn_MapsSourceValues()
    {
        const string csv = "country,y\nUnited-States,1\nMexico,0\nIndia,1\n";
        var definition = Definition() with
        {
            SensitiveColumn = "origin",
            DerivedColumns = [new DerivedColumn("origin", "country", UsMap, "non-US")],
        };

        var data = Load(definition, csv);

        Assert.Equal(["US", "non-US", "non-US"], data.Train.Groups);
        Assert.Equal(["country", "origin"], data.Train.FeatureColumns);
    }

    [Fact]
    public void Load_DerivedColumnWithMissingSource_StaysMissing()
    {
        const string csv = "country,y\nUnited-States,1\n?,0\nIndia,1\n,0\n";
        var definition = Definition() with
        {
            SensitiveColumn = "origin",
            MissingSensitive = MissingValuePolicy.Exclude,
            DerivedColumns = [new DerivedColumn("origin", "country", UsMap, "non-US")],
        };

        var data = Load(definition, csv);

        Assert.Equal(2, data.ExcludedRows);
        Assert.Equal(["US", "non-US"], data.Train.Groups);
    }

    [Fact]
    public void Load_UnmappedValueWithoutOtherValue_IsInvalid()
    {
        const string csv = "status,y\nA91,1\nA92,0\nA96,1\n";
        var definition = Definition() with
        {
            SensitiveColumn = "sex",
            DerivedColumns = [new DerivedColumn("sex", "status", new Dictionary<string, string> { ["A91"] = "male", ["A92"] = "female" })],
        };

        var error = LoadInvalid(definition, csv);

        Assert.Equal("status", error.Field);
        Assert.Equal("A96", error.Value);
        Assert.Contains("Value 'A96' of column 'status' (line 4 of train.csv) is not in the value map of derived column 'sex'", error.Message);
    }

    [Fact]
    public void Load_MissingFeatureInDerivedSource_DropsRow()
    {
        const string csv = "status,sex,y\nA91,Male,1\n?,Female,0\nA92,Female,1\n";
        var definition = Definition() with
        {
            DerivedColumns = [new DerivedColumn("single", "status", new Dictionary<string, string> { ["A91"] = "no" }, "yes")],
        };

        var data = Load(definition, csv);

        Assert.Equal(1, data.DroppedRows);
        Assert.Equal(["no", "yes"], Column(data.Train, "single"));
    }

    [Fact]
    public void Load_FeatureColumns_ExcludeLabelAndIgnored()
    {
        const string csv = "id,a,sex,y,b\n1,x,Male,1,u\n2,y,Female,0,v\n";
        var definition = Definition() with
        {
            IgnoredColumns = ["id"],
            DerivedColumns = [new DerivedColumn("group", "sex", new Dictionary<string, string> { ["Male"] = "m", ["Female"] = "f" })],
        };

        var data = Load(definition, csv);

        Assert.Equal(["a", "sex", "b", "group"], data.Train.FeatureColumns);
    }

    [Fact]
    public void Load_MissingIgnoredValue_KeepsRow()
    {
        const string csv = "note,sex,y\n?,Male,1\n,Female,0\n";
        var definition = Definition() with { IgnoredColumns = ["note"] };

        var data = Load(definition, csv);

        Assert.Equal(0, data.DroppedRows);
        Assert.Equal(2, data.Train.Count);
    }

    [Fact]
    public void Load_Groups_AreOrderedByTrainingSize()
    {
        const string csv = "a,sex,y\nx, Female,1\ny, Male,0\nz, Male,1\nw, Other,0\nv, Male,0\nu, Female,0\n";

        var data = Load(Definition(), csv);

        Assert.Equal(["Male", "Female", "Other"], data.Groups);
        Assert.Equal("Male", data.ReferenceGroup);
    }

    [Fact]
    public void Load_ReferenceGroup_IsKeptFromDefinition()
    {
        const string csv = "a,sex,y\nx,Female,1\ny,Male,0\nz,Female,1\n";
        var definition = Definition() with { ReferenceGroup = "Male" };

        var data = Load(definition, csv);

        Assert.Equal("Male", data.ReferenceGroup);
        Assert.Equal(["Female", "Male"], data.Groups);
    }

    [Fact]
    public void Load_UnknownReferenceGroup_ListsGroups()
    {
        const string csv = "a,sex,y\nx,Female,1\ny,Male,0\n";
        var definition = Definition() with { ReferenceGroup = "male" };

        var error = LoadInvalid(definition, csv);

        Assert.Equal("reference_group", error.Field);
        Assert.Equal("male", error.Value);
        Assert.Contains("Reference group 'male' is not a group of sensitive column 'sex', whose groups are {Female, Male}", error.Message);
    }

    [Fact]
    public void Load_NumericColumns_AreDetected()
    {
        const string csv = "age,gain,code,note,sex,y\n39,1e3,A11,?,Male,1\n-4.5,0,7,?,Female,0\n";
        var definition = Definition() with { IgnoredColumns = ["note"] };

        var data = Load(definition, csv);

        Assert.Equal(["age", "gain"], data.NumericColumns.Order());
    }

    [Fact]
    public void Load_TextInNumericColumn_IsInvalid()
    {
        string csv = "age,sex,y\n" + string.Concat(Enumerable.Range(20, 10).Select(a => $"{a},Male,1\n")) + "forty,Female,0\n31,Female,0\n";

        var error = LoadInvalid(Definition(), csv);

        Assert.Equal("age", error.Field);
        Assert.Equal("forty", error.Value);
        Assert.Contains("Column 'age' contains numbers in 11 of its 12 values, but line 12 of train.csv contains 'forty'", error.Message);
    }

    [Fact]
    public void Load_NotANumberInNumericColumn_IsInvalid()
    {
        string csv = "age,sex,y\n" + string.Concat(Enumerable.Range(20, 10).Select(a => $"{a},Male,1\n")) + "NaN,Female,0\n";

        var error = LoadInvalid(Definition(), csv);

        Assert.Equal("NaN", error.Value);
    }

    [Fact]
    public void Load_MostlyTextColumn_IsCategorical()
    {
        const string csv = "code,sex,y\nA11,Male,1\n12,Female,0\nA13,Male,0\n";

        var data = Load(Definition(), csv);

        Assert.DoesNotContain("code", data.NumericColumns);
    }

    [Fact]
    public void Load_DroppedRows_KeepRowIds()
    {
        const string csv = "a,sex,y\nx,Male,1\n?,Female,0\n\ny,Female,0\n";

        var data = Load(Definition(), csv);

        Assert.Equal([0L, 2L], data.Train.RowIds);
    }

    [Fact]
    public void Load_TestFileRowIds_Continue()
    {
        var definition = Definition() with { ValidationFraction = 0 };

        var data = Load(definition, "a,sex,y\nx,Male,1\n?,Female,0\ny,Female,0\n", "a,sex,y\nx,Male,1\ny,Female,0.\n");

        Assert.Equal([0L, 2L], data.Train.RowIds);
        Assert.Equal([3L, 4L], data.Test.RowIds);
        Assert.Equal([1f, 0f], data.Test.Labels);
    }

    [Fact]
    public void Load_IdColumn_NamesRowsInMessages()
    {
        const string csv = "ID,sex,y\nr01,Male,1\nr02,,0\n";

        var error = LoadInvalid(Definition(), csv);

        Assert.Contains("1 row of train.csv: r02 (empty)", error.Message);
    }
}
