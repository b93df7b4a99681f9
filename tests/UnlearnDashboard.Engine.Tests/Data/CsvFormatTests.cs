using System.Text;
using static UnlearnDashboard.Engine.Tests.Data.DatasetTestData;

namespace UnlearnDashboard.Engine.Tests.Data;

/// <summary>How the loader reads CSV text: separators, quotes, missing values, blank and comment lines.</summary>
public sealed class CsvFormatTests
{
    [Fact]
    public void Load_CommaSpaceSeparator_TrimsValues()
    {
        const string csv = "age,sex,y\n39, Male, 1\n50,\tFemale ,0\n";

        var data = Load(Definition(), csv);

        Assert.Equal(["39", "50"], Column(data.Train, "age"));
        Assert.Equal(["Male", "Female"], Column(data.Train, "sex"));
        Assert.Equal(["Male", "Female"], data.Train.Groups);
    }

    [Fact]
    public void Load_HeaderNames_AreTrimmed()
    {
        const string csv = "age, sex , y\n39,Male,1\n50,Female,0\n";

        var data = Load(Definition(), csv);

        Assert.Equal(["age", "sex"], data.Train.FeatureColumns);
    }

    [Fact]
    public void Load_QuotedFields_KeepSeparatorsAndEscapedQuotes()
    {
        const string csv = "note,sex,y\n\"a, b\",Male,1\n \"say \"\"hi\"\"\" ,Female,0\n\"\",Male,0\n";

        var data = Load(Definition(), csv);

        Assert.Equal(["a, b", "say \"hi\""], Column(data.Train, "note"));
        Assert.Equal(1, data.DroppedRows);
    }

    [Fact]
    public void Load_QuotedLineBreak_CountsLines()
    {
        const string csv = "note,sex,y\n\"two\nlines\",Male,1\nplain,Female\n";

        var error = LoadInvalid(Definition(), csv);

        Assert.Contains("Line 4 of train.csv has 2 fields, but the header has 3", error.Message);
    }

    [Fact]
    public void Load_QuestionMarkAndEmptyCells_AreMissing()
    {
        const string csv = "a,b,sex,y\nx,1,Male,1\n?,2,Female,0\n,3,Male,0\ny, ,Female,1\nz,5,Female,0\n";

        var data = Load(Definition(), csv);

        Assert.Equal(3, data.DroppedRows);
        Assert.Equal(["x", "z"], Column(data.Train, "a"));
        Assert.Equal(2, data.Files[0].MissingValues["a"]);
        Assert.Equal(1, data.Files[0].MissingValues["b"]);
    }

    [Fact]
    public void Load_BlankLines_AreNotRecords()
    {
        const string csv = "a,sex,y\n\nx,Male,1\n   \ny,Female,0\n\n";

        var data = Load(Definition(), csv);

        Assert.Equal(2, data.Files[0].Records);
        Assert.Equal([0L, 1L], data.Train.RowIds);
    }

    [Fact]
    public void Load_PipeLines_AreComments()
    {
        const string csv = "|1x3 Cross validator\na,sex,y\nx,Male,1\n| a comment between rows\ny,Female,0\n";

        var data = Load(Definition(), csv);

        Assert.Equal(2, data.Files[0].Records);
        Assert.Equal(["x", "y"], Column(data.Train, "a"));
    }

    [Fact]
    public void Load_ColumnNames_ReadsFileWithoutHeader()
    {
        var definition = Definition() with { ColumnNames = ["a", "sex", "y"] };
        const string csv = "|1x3 Cross validator\nx, Male, 1\ny, Female, 0.\n";

        var data = Load(definition, csv);

        Assert.Equal(2, data.Files[0].Records);
        Assert.Equal(["a", "sex"], data.Train.FeatureColumns);
        Assert.Equal([1f, 0f], data.Train.Labels);
    }

    [Fact]
    public void Load_CrLfLineEnds_AreLineEnds()
    {
        const string csv = "a,sex,y\r\nx,Male,1\r\ny,Female,0\r\n\r\n";

        var data = Load(Definition(), csv);

        Assert.Equal(2, data.Files[0].Records);
        Assert.Equal(["Male", "Female"], data.Train.Groups);
    }

    [Fact]
    public void Load_ByteOrderMark_IsSkipped()
    {
        byte[] csv = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("a,sex,y\nx,Male,1\ny,Female,0\n")];

        var data = LoadBytes(Definition(), csv);

        Assert.Equal(["a", "sex"], data.Train.FeatureColumns);
    }

    [Fact]
    public void Load_NonAsciiValues_AreRead()
    {
        const string csv = "city,sex,y\nZürich,Male,1\nMünchen,Female,0\n";

        var data = Load(Definition(), csv);

        Assert.Equal(["Zürich", "München"], Column(data.Train, "city"));
    }

    [Fact]
    public void Load_UnterminatedQuote_IsInvalid()
    {
        const string csv = "a,sex,y\nx,Male,1\n\"open,Female,0\ny,Male,0\n";

        var error = LoadInvalid(Definition(), csv);

        Assert.Contains("line 3 of train.csv opens a quote that is never closed", error.Message);
    }

    [Fact]
    public void Load_TextAfterClosingQuote_IsInvalid()
    {
        const string csv = "a,sex,y\n\"x\"y,Male,1\nz,Female,0\n";

        var error = LoadInvalid(Definition(), csv);

        Assert.Contains("Field 1 on line 2 of train.csv has 'y' after its closing quote", error.Message);
    }
}
