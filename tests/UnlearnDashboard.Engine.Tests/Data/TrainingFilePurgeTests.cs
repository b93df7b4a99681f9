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

    // Header columns in another order than the training file's, as the loader accepts.
    private const string TestCsv =
        "city,id,income\n" +
        "Oslo,t1,high\n" +
        "Rome,t2,low\n";

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
        var result = TrainingFilePurge.Purge(Definition, Files(Csv, TestCsv), "cities", [1], [], []);
        string text = Encoding.UTF8.GetString(result.TrainFile);

        Assert.Equal("id,city,income\na1,\"Paris, FR\",high\na3,\"say \"\"hi\"\"\",high\n\"|pipe\",Oslo,low\n", text);
        Assert.Equal(3, result.TrainRecordCount);
        Assert.Equal([1L], result.Rows.Select(r => r.RowId));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("a2,Rome,low"))), result.Rows[0].Sha256);

        // Purging nothing from the rewritten file gives the same bytes: the writer quotes what the reader unquotes.
        var again = TrainingFilePurge.Purge(Definition, new DatasetFileContents(result.TrainFile, result.TestFile), "cities", [], [], []);
        Assert.Equal(result.TrainFile, again.TrainFile);
    }

    [Fact]
    public void Purge_HeaderlessDefinition_WritesNoHeader()
    {
        var headerless = Definition with { ColumnNames = ["id", "city", "income"] };

        var result = TrainingFilePurge.Purge(headerless, Files("b1,Lyon,high\nb2,Nice,low\n", "b3,Lyon,low\nb4,Nice,high\n"), "cities", [0, 2], [], []);

        Assert.Equal("b2,Nice,low\n", Encoding.UTF8.GetString(result.TrainFile));
        Assert.Equal("b4,Nice,high\n", Encoding.UTF8.GetString(result.TestFile));
    }

    [Fact]
    public void Resolve_RowIdsAndKeyValues_UnionAscending()
    {
        var resolved = TrainingFilePurge.Resolve(Definition, Files(Csv, null), "cities", [3, 1], "id", ["a1", " a2 "]);

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
            TrainingFilePurge.Resolve(Definition, Files(Csv, null), "cities", rowIds, keyColumn, keyValues));

        Assert.Equal(EngineErrorKind.InvalidArgument, error.Kind);
        Assert.Equal(field, error.Field);
        Assert.Contains(value, error.Message);
    }

    [Fact]
    public void Resolve_RowIdTwice_InvalidArgumentNamingIt()
    {
        var error = Assert.Throws<EngineException>(() =>
            TrainingFilePurge.Resolve(Definition, Files(Csv, null), "cities", [2, 1, 2], "", []));

        Assert.Equal(EngineErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("row_ids", error.Field);
        Assert.Equal("Row id 2 is named more than once; name each row once.", error.Message);
    }

    [Fact]
    public void Resolve_KeyValueTwice_InvalidArgumentNamingIt()
    {
        var error = Assert.Throws<EngineException>(() =>
            TrainingFilePurge.Resolve(Definition, Files(Csv, null), "cities", [], "id", ["a1", " a1"]));

        Assert.Equal(EngineErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("key_values", error.Field);
        Assert.Equal("Key value 'a1' is named more than once; name each value once.", error.Message);
    }

    [Fact]
    public void Resolve_TestFileRows_NumberedAfterTrainingFile()
    {
        var resolved = TrainingFilePurge.Resolve(Definition, Files(Csv, TestCsv), "cities", [5], "id", ["t1"]);
        var error = Assert.Throws<EngineException>(() => TrainingFilePurge.Resolve(Definition, Files(Csv, TestCsv), "cities", [6], "", []));

        Assert.Equal([4L, 5L], resolved.RowIds);
        Assert.Equal(6, resolved.RecordCount);
        Assert.Equal("row_ids", error.Field);
        Assert.Contains("from 0 to 5 (the test file's from 4)", error.Message);
    }

    [Fact]
    public void Purge_TestFileRow_RewritesTestFile()
    {
        var result = TrainingFilePurge.Purge(Definition, Files(Csv, TestCsv), "cities", [0, 5], [], []);

        Assert.Equal([0L, 5L], result.Rows.Select(r => r.RowId));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("Rome,t2,low"))), result.Rows[1].Sha256);
        Assert.Equal("city,id,income\nOslo,t1,high\n", Encoding.UTF8.GetString(result.TestFile));
        Assert.Equal(3, result.TrainRecordCount);
        Assert.Equal(1, result.TestRecordCount);
        Assert.False(result.TestSplitFrozen);
        Assert.Equal(Definition, result.Definition with { ValidationRecords = null });
        Assert.Empty(result.Definition.ValidationRecords!);
    }

    [Fact]
    public void Purge_HeaderlessTestFile_WritesTrainingHeader()
    {
        // UCI publishes test files without a header, which the loader reads with the training file's columns.
        var result = TrainingFilePurge.Purge(Definition, Files(Csv, "t1,Oslo,high\nt2,Rome,low\n"), "cities", [4], [], []);

        Assert.Equal("id,city,income\nt2,Rome,low\n", Encoding.UTF8.GetString(result.TestFile));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("t1,Oslo,high"))), result.Rows.Single().Sha256);
    }

    [Fact]
    public void Purge_NoTestFileRow_KeepsTestFileBytes()
    {
        var files = Files(Csv, TestCsv);

        var result = TrainingFilePurge.Purge(Definition, files, "cities", [2], [], []);

        Assert.Same(files.Test, result.TestFile);
        Assert.Equal(2, result.TestRecordCount);
    }

    [Fact]
    public void Purge_NoTestFile_MovesTestSplitToTestFile()
    {
        var definition = Definition with { ValidationFraction = 0.1, TestFraction = 0.2 };

        var result = TrainingFilePurge.Purge(definition, Files(Csv, null), "cities", [1, 3], [0, 3], [2]);

        Assert.True(result.TestSplitFrozen);
        Assert.Equal("id,city,income\na1,\"Paris, FR\",high\n", Encoding.UTF8.GetString(result.TestFile));
        Assert.Equal("id,city,income\na3,\"say \"\"hi\"\"\",high\n", Encoding.UTF8.GetString(result.TrainFile));
        Assert.Equal([1L, 3L], result.Rows.Select(r => r.RowId));
        Assert.Equal(0.125, result.Definition.ValidationFraction);
        Assert.Equal(definition with { ValidationFraction = 0.125 }, result.Definition with { ValidationRecords = null });

        // Record 2 (a3) was in validation and is the new training file's record 0.
        Assert.Equal([0], result.Definition.ValidationRecords);
    }

    [Fact]
    public void Purge_GermanCredit_KeepsTestSplit()
    {
        var definition = DatasetProfiles.GermanCredit.Definition;
        byte[] original = File.ReadAllBytes(Path.Combine(DatasetProfiles.DataFolder, "german-credit.csv"));
        var before = DatasetProfiles.Load(DatasetProfiles.GermanCredit);
        long[] erased = [before.Test.RowIds[0], before.Test.RowIds[7], before.Train.RowIds[3], before.Validation.RowIds[5]];

        var first = TrainingFilePurge.Purge(definition, Files(original), "german-credit", erased, before.Test.RowIds, before.Validation.RowIds);
        var afterFirst = Load(first);
        // The second purge names rows by the new files' row ids: one of the test file and one of the training file.
        long[] erasedAgain = [afterFirst.Test.RowIds[^1], afterFirst.Train.RowIds[0]];
        var second = TrainingFilePurge.Purge(first.Definition, new DatasetFileContents(first.TrainFile, first.TestFile), "german-credit", erasedAgain, [],
            afterFirst.Validation.RowIds);
        var afterSecond = Load(second);

        var expectedTest = RowHashes(before.Test.Without(erased.ToHashSet()));
        Assert.True(first.TestSplitFrozen);
        Assert.Equal(before.Test.Count - 2, expectedTest.Count);
        Assert.Equal(expectedTest, RowHashes(afterFirst.Test));
        Assert.Empty(RowHashes(before.Train).Intersect(RowHashes(afterFirst.Test)));
        // Every kept record keeps its split, so no record that a model trained on moves to validation.
        Assert.Equal(RowHashes(before.Validation.Without(erased.ToHashSet())), RowHashes(afterFirst.Validation));
        Assert.Equal(RowHashes(before.Train.Without(erased.ToHashSet())), RowHashes(afterFirst.Train));

        Assert.False(second.TestSplitFrozen);
        Assert.Equal(first.Definition with { ValidationRecords = null }, second.Definition with { ValidationRecords = null });
        Assert.Equal(expectedTest[..^1], RowHashes(afterSecond.Test));
        Assert.Equal(RowHashes(afterFirst.Validation), RowHashes(afterSecond.Validation));
        Assert.Equal(RowHashes(afterFirst.Train.Without(erasedAgain.ToHashSet())), RowHashes(afterSecond.Train));
        Assert.Equal(erasedAgain.Order(), second.Rows.Select(r => r.RowId));
    }

    private static DatasetFileContents Files(string train, string? test) =>
        new(Encoding.UTF8.GetBytes(train), test is null ? null : Encoding.UTF8.GetBytes(test));

    private static DatasetFileContents Files(byte[] train) => new(train, null);

    private static PreparedDataset Load(PurgeResult result)
    {
        using var train = new MemoryStream(result.TrainFile);
        using var test = new MemoryStream(result.TestFile);
        return DatasetLoader.Load(result.Definition, train, "german-credit train file", test, "german-credit test file");
    }

    /// <summary>Hashes each row of a split by its feature values, label and group, so rows compare across files whatever their ids.</summary>
    private static List<string> RowHashes(TabularSplit split) =>
        Enumerable.Range(0, split.Count)
            .Select(i => string.Join(',', split.FeatureValues.Select(column => column[i])) + $"|{split.Labels[i]}|{split.Groups[i]}")
            .Select(row => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(row))))
            .ToList();
}
