using UnlearnDashboard.Engine.Data;
using static UnlearnDashboard.Engine.Tests.Data.DatasetTestData;

namespace UnlearnDashboard.Engine.Tests.Data;

/// <summary>Files and definitions the loader rejects, and the messages it gives.</summary>
public sealed class DatasetValidationTests
{
    private const string TwoGroups = "a,sex,y\nx,Male,1\ny,Female,0\n";

    [Fact]
    public void Load_EmptyFile_IsInvalid()
    {
        var error = LoadInvalid(Definition(), "");

        Assert.Equal("train_file", error.Field);
        Assert.Contains("train.csv is empty", error.Message);
    }

    [Fact]
    public void Load_BlankLinesOnly_IsInvalid()
    {
        var error = LoadInvalid(Definition(), "\n  \n\n");

        Assert.Contains("train.csv is empty", error.Message);
    }

    [Fact]
    public void Load_HeaderOnly_IsInvalid()
    {
        var error = LoadInvalid(Definition(), "a,sex,y\n\n");

        Assert.Equal("train_file", error.Field);
        Assert.Contains("train.csv has a header but no data rows", error.Message);
    }

    [Fact]
    public void Load_EveryRowIncomplete_IsInvalid()
    {
        const string csv = "a,b,sex,y\n?,1,Male,1\nx,,Female,0\n";

        var error = LoadInvalid(Definition(), csv);

        Assert.Contains("No rows of train.csv are left", error.Message);
        Assert.Contains("a 1, b 1", error.Message);
    }

    [Fact]
    public void Load_SemicolonFile_IsInvalid()
    {
        const string csv = "a;sex;y\nx;Male;1\ny;Female;0\n";

        var error = LoadInvalid(Definition(), csv);

        Assert.Contains("looks ';'-separated", error.Message);
        Assert.Contains("Only ',' is supported", error.Message);
    }

    [Fact]
    public void Load_TabFile_IsInvalid()
    {
        const string csv = "a\tsex\ty\nx\tMale\t1\n";

        var error = LoadInvalid(Definition(), csv);

        Assert.Contains("looks tab-separated", error.Message);
    }

    [Fact]
    public void Load_SpaceSeparatedWithColumnNames_IsInvalid()
    {
        var definition = Definition() with { ColumnNames = ["a", "sex", "y"] };

        var error = LoadInvalid(definition, "x Male 1\ny Female 0\n");

        Assert.Contains("Line 1 of train.csv has 1 fields, but 3 column names are defined", error.Message);
        Assert.Contains("looks space-separated", error.Message);
    }

    [Fact]
    public void Load_RaggedRow_IsInvalid()
    {
        const string csv = "a,sex,y\nx,Male,1\ny,Female,0,extra\n";

        var error = LoadInvalid(Definition(), csv);

        Assert.Equal("train_file", error.Field);
        Assert.Equal("3", error.Value);
        Assert.Contains("Line 3 of train.csv has 4 fields, but the header has 3", error.Message);
    }

    [Fact]
    public void Load_DuplicateHeaderNames_AreInvalid()
    {
        const string csv = "a,sex,a,y\nx,Male,z,1\ny,Female,z,0\n";

        var error = LoadInvalid(Definition(), csv);

        Assert.Equal("a", error.Field);
        Assert.Contains("Column name 'a' appears twice in the header of train.csv (line 1), as columns 1 and 3", error.Message);
    }

    [Fact]
    public void Load_EmptyHeaderName_IsInvalid()
    {
        var error = LoadInvalid(Definition(), "a,,sex,y\nx,1,Male,1\n");

        Assert.Contains("Column 2 in the header of train.csv (line 1) has no name", error.Message);
    }

    [Fact]
    public void Load_InvalidUtf8_NamesByteOffsetAndLine()
    {
        byte[] csv = [.. "a,sex,y\nx,Male,1\n"u8, 0x4D, 0xFC, 0x6E, .. ",Female,0\n"u8];

        var error = Assert.Throws<EngineException>(() => LoadBytes(Definition(), csv));

        Assert.Equal("train_file", error.Field);
        Assert.Contains("train.csv is not valid UTF-8: byte 0xFC at byte offset 18 (line 3)", error.Message);
    }

    [Fact]
    public void Load_UnknownLabelColumn_ListsColumns()
    {
        var definition = Definition() with { LabelColumn = "income" };

        var error = LoadInvalid(definition, TwoGroups);

        Assert.Equal("label_column", error.Field);
        Assert.Equal("income", error.Value);
        Assert.Contains("Label column 'income' is not a column of train.csv. Columns: a, sex, y.", error.Message);
    }

    [Fact]
    public void Load_UnknownSensitiveColumn_ListsColumns()
    {
        var definition = Definition() with { SensitiveColumn = "gender" };

        var error = LoadInvalid(definition, TwoGroups);

        Assert.Equal("sensitive_column", error.Field);
        Assert.Contains("Sensitive column 'gender' is not a column of train.csv or a derived column. Columns: a, sex, y.", error.Message);
    }

    [Fact]
    public void Load_UnknownDerivedSource_ListsColumns()
    {
        var definition = Definition() with
        {
            DerivedColumns = [new DerivedColumn("group", "status", new Dictionary<string, string> { ["x"] = "X" })],
        };

        var error = LoadInvalid(definition, TwoGroups);

        Assert.Equal("derived_columns", error.Field);
        Assert.Contains("Source column 'status' of derived column 'group' is not a column of train.csv. Columns: a, sex, y.", error.Message);
    }

    [Fact]
    public void Load_UnknownIgnoredColumn_ListsColumns()
    {
        var definition = Definition() with { IgnoredColumns = ["id"] };

        var error = LoadInvalid(definition, TwoGroups);

        Assert.Equal("ignored_columns", error.Field);
        Assert.Contains("Ignored column 'id' is not a column of the dataset. Columns: a, sex, y.", error.Message);
    }

    [Fact]
    public void Load_IgnoredSensitiveColumn_IsInvalid()
    {
        var definition = Definition() with { IgnoredColumns = ["sex"] };

        var error = LoadInvalid(definition, TwoGroups);

        Assert.Equal("ignored_columns", error.Field);
    }

    [Fact]
    public void Load_LabelAsSensitiveColumn_IsInvalid()
    {
        var definition = Definition() with { SensitiveColumn = "y" };

        var error = LoadInvalid(definition, TwoGroups);

        Assert.Equal("sensitive_column", error.Field);
    }

    [Fact]
    public void Load_DerivedNameInUse_IsInvalid()
    {
        var definition = Definition() with
        {
            DerivedColumns = [new DerivedColumn("a", "sex", new Dictionary<string, string> { ["Male"] = "m" })],
        };

        var error = LoadInvalid(definition, TwoGroups);

        Assert.Equal("derived_columns", error.Field);
        Assert.Contains("Derived column 'a' has the name of another column", error.Message);
    }

    [Fact]
    public void Load_TestFileWithOtherColumns_IsInvalid()
    {
        var definition = Definition() with { ValidationFraction = 0.5 };

        var error = LoadInvalid(definition, TwoGroups, "b,sex,y\nx,Male,1\n");

        Assert.Equal("test_file", error.Field);
        Assert.Contains("test.csv lacks a and has b, which train.csv does not", error.Message);
    }

    [Fact]
    public void Load_SingleGroup_IsInvalid()
    {
        const string csv = "a,sex,y\nx,Male,1\ny,Male,0\nz,Female,?\n";
        var definition = Definition() with { MissingLabel = MissingValuePolicy.Exclude };

        var error = LoadInvalid(definition, csv);

        Assert.Equal("sex", error.Field);
        Assert.Equal("Male", error.Value);
        Assert.Contains("Sensitive column 'sex' has only one group, 'Male'", error.Message);
    }

    [Theory]
    [InlineData(-0.1, 0.2, "validation_fraction")]
    [InlineData(1.0, 0.0, "validation_fraction")]
    [InlineData(double.NaN, 0.2, "validation_fraction")]
    [InlineData(0.5, 0.5, "test_fraction")]
    public void Load_FractionOutOfRange_IsInvalid(double validation, double test, string field)
    {
        var definition = Definition() with { ValidationFraction = validation, TestFraction = test };

        var error = LoadInvalid(definition, TwoGroups);

        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Load_FractionsTakingAllRows_IsInvalid()
    {
        var definition = Definition() with { ValidationFraction = 0.5, TestFraction = 0.45 };

        var error = LoadInvalid(definition, TwoGroups);

        Assert.Contains("No rows are left for training", error.Message);
    }

    [Fact]
    public void Load_FileWithoutHeader_SuggestsHeaderRow()
    {
        const string csv = "39,Male,1\n50,Female,0\n41,Male,0\n";

        var error = LoadInvalid(Definition(), csv);

        Assert.Equal("label_column", error.Field);
        Assert.Equal(
            "Label column 'y' is not a column of train.csv. Columns: 39, Male, 1. " +
            "Column name '39' is a number, so the file may have no header row. Add a header row that names the columns.",
            error.Message);
    }

    [Fact]
    public void Load_SensitiveAllMissing_NamesColumnAndRows()
    {
        const string csv = "a,sex,y\nx,?,1\ny,,0\nz,?,1\n";

        var error = LoadInvalid(Definition(), csv);

        Assert.Equal("sex", error.Field);
        Assert.Contains("Sensitive column 'sex' has missing values in 3 rows of train.csv: line 2 ('?'), line 3 (empty), line 4 ('?')", error.Message);
    }

    [Fact]
    public void Load_TestFileWithNewLabel_NamesRow()
    {
        const string train = "a,sex,y\nx,Male,1\ny,Female,0\n";
        const string test = "a,sex,y\nx,Male,0\ny,Female,2\n";

        var error = LoadInvalid(Definition(), train, test);

        Assert.Equal("y", error.Field);
        Assert.Equal("2", error.Value);
        Assert.Equal("test.csv line 3 has the label '2' in column 'y', which train.csv does not have; its labels are 0, 1. Use one of those.", error.Message);
    }

    [Fact]
    public void Load_IdentifierColumn_IsInvalid()
    {
        var error = LoadInvalid(Definition(), Customers(60, repeatLast: false));

        Assert.Equal("customer", error.Field);
        Assert.Equal("customer", error.Value);
        Assert.Equal(
            "Column 'customer' has a different value in each of its 60 complete rows (for example 'c001'), so it looks like an identifier, " +
            "and a model would get one input per row. Remove the column from the file and upload it again.",
            error.Message);
    }

    [Fact]
    public void Load_IgnoredIdentifierColumn_Loads()
    {
        var definition = Definition() with { IgnoredColumns = ["customer"] };

        var data = Load(definition, Customers(60, repeatLast: false));

        Assert.Equal(60, data.Train.Count);
        Assert.DoesNotContain("customer", data.Train.FeatureColumns);
    }

    [Theory]
    [InlineData(60, true)]
    [InlineData(49, false)]
    public void Load_TextColumnWithRepeatOrFewRows_Loads(int rows, bool repeatLast)
    {
        var data = Load(Definition(), Customers(rows, repeatLast));

        Assert.Equal(rows, data.Train.Count);
        Assert.Contains("customer", data.Train.FeatureColumns);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(50_001)]
    public void Load_RowNumberColumn_IsInvalid(int first)
    {
        var csv = new System.Text.StringBuilder("id,sex,y\n");
        for (int i = 0; i < 60; i++)
            csv.Append($"{first + 59 - i},{(i % 2 == 0 ? "Male" : "Female")},{i % 3 % 2}\n");

        var error = LoadInvalid(Definition(), csv.ToString());

        Assert.Equal("id", error.Field);
        Assert.Equal("id", error.Value);
        Assert.Equal(
            $"Column 'id' has a different whole number in each of its 60 complete rows, from {first} to {first + 59}, so it looks like " +
            "a row number or a sequential id, from which a model would learn the order of the rows. Remove the column from the file and upload it again.",
            error.Message);
    }

    [Theory]
    [InlineData("{0}.5", false)]
    [InlineData("{0}", true)]
    public void Load_NumbersNotRowNumbers_Loads(string format, bool repeatFirst)
    {
        // Distinct non-whole numbers, and whole numbers with one repeat, are measurements rather than row numbers.
        var csv = new System.Text.StringBuilder("amount,sex,y\n");
        for (int i = 0; i < 60; i++)
        {
            int number = repeatFirst ? Math.Max(i, 1) : i;
            csv.Append($"{string.Format(System.Globalization.CultureInfo.InvariantCulture, format, number)},{(i % 2 == 0 ? "Male" : "Female")},{i % 3 % 2}\n");
        }

        var data = Load(Definition(), csv.ToString());

        Assert.Contains("amount", data.Train.FeatureColumns);
    }

    [Fact]
    public void Load_NumberInEveryRowDifferent_Loads()
    {
        var csv = new System.Text.StringBuilder("weight,sex,y\n");
        for (int i = 0; i < 60; i++)
            csv.Append($"{1000 + i * 7},{(i % 2 == 0 ? "Male" : "Female")},{i % 3 % 2}\n");

        var data = Load(Definition(), csv.ToString());

        Assert.Contains("weight", data.NumericColumns);
    }

    /// <summary>
    /// A table with a text column 'customer' of c001, c002 and so on, one per row. With <paramref name="repeatLast"/>
    /// the last row repeats the first customer.
    /// </summary>
    private static string Customers(int rows, bool repeatLast)
    {
        var csv = new System.Text.StringBuilder("customer,sex,y\n");
        for (int i = 0; i < rows; i++)
        {
            int customer = repeatLast && i == rows - 1 ? 0 : i;
            csv.Append($"c{customer + 1:D3},{(i % 2 == 0 ? "Male" : "Female")},{i % 3 % 2}\n");
        }

        return csv.ToString();
    }
}
