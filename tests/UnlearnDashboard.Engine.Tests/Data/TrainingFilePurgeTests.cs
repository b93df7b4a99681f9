using System.Security.Cryptography;
using System.Text;
using UnlearnDashboard.Engine.Data;

namespace UnlearnDashboard.Engine.Tests.Data;

public sealed class TrainingFilePurgeTests
{
    private const string Csv =
        "id,city,income\n" +
        "a1,\"Paris, FR\",high\n" +
        "a2, Rome ,low\n" +
        "a3,\"say \"\"hi\"\"\",high\n" +
        "\"|pipe\",Oslo,low\n";

    private static readonly DatasetDefinition Definition = new()
    {
        Name = "cities",
        LabelColumn = "income",
        FavourableLabel = "high",
        SensitiveColumn = "city",
    };

    [Fact]
    public void Purge_QuotedValues_RoundTripThroughReader()
    {
        var result = TrainingFilePurge.Purge(Definition, Encoding.UTF8.GetBytes(Csv), "cities.csv", [1]);
        string text = Encoding.UTF8.GetString(result.File);

        Assert.Equal("id,city,income\na1,\"Paris, FR\",high\na3,\"say \"\"hi\"\"\",high\n\"|pipe\",Oslo,low\n", text);
        Assert.Equal(3, result.RecordCount);
        Assert.Equal([1L], result.Rows.Select(r => r.RowId));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("a2,Rome,low"))), result.Rows[0].Sha256);

        // Purging nothing from the rewritten file gives the same bytes: the writer quotes what the reader unquotes.
        var again = TrainingFilePurge.Purge(Definition, result.File, "cities.csv", []);
        Assert.Equal(result.File, again.File);
    }

    [Fact]
    public void Purge_HeaderlessDefinition_WritesNoHeader()
    {
        var headerless = Definition with { ColumnNames = ["id", "city", "income"] };

        var result = TrainingFilePurge.Purge(headerless, Encoding.UTF8.GetBytes("b1,Lyon,high\nb2,Nice,low\n"), "cities.csv", [0]);

        Assert.Equal("b2,Nice,low\n", Encoding.UTF8.GetString(result.File));
    }

    [Fact]
    public void Resolve_RowIdsAndKeyValues_UnionAscending()
    {
        var resolved = TrainingFilePurge.Resolve(Definition, Encoding.UTF8.GetBytes(Csv), "cities.csv", [3, 1], "id", ["a1", " a2 "]);

        Assert.Equal([0L, 1L, 3L], resolved.RowIds);
        Assert.Equal(4, resolved.RecordCount);
    }

    [Theory]
    [InlineData("row_ids", "4", "", "")]
    [InlineData("key_column", "zip", "zip", "x")]
    [InlineData("key_values", "a9", "id", "a9")]
    public void Resolve_UnknownName_InvalidArgumentNamingIt(string field, string value, string keyColumn, string keyValue)
    {
        long[] rowIds = field == "row_ids" ? [long.Parse(value)] : [];
        string[] keyValues = keyValue.Length > 0 ? [keyValue] : [];

        var error = Assert.Throws<EngineException>(() =>
            TrainingFilePurge.Resolve(Definition, Encoding.UTF8.GetBytes(Csv), "cities.csv", rowIds, keyColumn, keyValues));

        Assert.Equal(EngineErrorKind.InvalidArgument, error.Kind);
        Assert.Equal(field, error.Field);
        Assert.Contains(value, error.Message);
    }
}
