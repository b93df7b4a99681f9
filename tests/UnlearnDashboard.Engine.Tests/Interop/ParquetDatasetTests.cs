using System.Text;
using Parquet;
using Parquet.Schema;
using UnlearnDashboard.Engine.Data;

namespace UnlearnDashboard.Engine.Tests.Interop;

/// <summary>
/// adult_2000.parquet is the header and first 2,000 rows of adult.csv, written by @dsnp/parquetjs with '?' as
/// null (make_parquet_fixture.js), so it must load to the same dataset as those CSV lines.
/// </summary>
public sealed class ParquetDatasetTests
{
    private const int FixtureRows = 2000;

    private static readonly DatasetDefinition Definition = DatasetProfiles.Adult.Definition with { Name = "adult-2000" };

    [Fact]
    public void Load_NpmParquet_EqualsCsvDataset()
    {
        var fromCsv = LoadCsv();
        var fromParquet = LoadParquet();

        Assert.Equal(fromCsv.NumericColumns.Order(), fromParquet.NumericColumns.Order());
        Assert.Equal(fromCsv.Groups, fromParquet.Groups);
        Assert.Equal(fromCsv.LabelValues, fromParquet.LabelValues);
        Assert.Equal(fromCsv.DroppedRows, fromParquet.DroppedRows);
        Assert.True(fromCsv.DroppedRows > 0, "the subset should contain rows with missing values");
        foreach (string split in new[] { "train", "validation", "test" })
        {
            var expected = fromCsv.GetSplit(split);
            var actual = fromParquet.GetSplit(split);
            Assert.Equal(expected.FeatureColumns, actual.FeatureColumns);
            Assert.Equal(expected.RowIds, actual.RowIds);
            Assert.Equal(expected.Labels, actual.Labels);
            Assert.Equal(expected.Groups, actual.Groups);
            for (int c = 0; c < expected.FeatureColumns.Count; c++)
                Assert.Equal(expected.FeatureValues[c], actual.FeatureValues[c]);
        }
    }

    [Fact]
    public void Load_ParquetTestFile_ReadsAsParquet()
    {
        using var train = new MemoryStream(CsvSubset());
        using var test = File.OpenRead(InteropFixtures.PathOf("adult_2000.parquet"));

        var data = DatasetLoader.Load(Definition, train, "adult.csv", test, "adult_2000.parquet");

        Assert.Equal(LoadCsv().Files[0].CompleteRows, data.Test.Count);
        Assert.Equal(FixtureRows, data.Files[1].Records);
    }

    [Fact]
    public void Preview_NpmParquet_MatchesCsvPreview()
    {
        using var parquetFile = File.OpenRead(InteropFixtures.PathOf("adult_2000.parquet"));
        using var csvFile = new MemoryStream(CsvSubset());

        var parquet = DatasetPreviewer.Preview(parquetFile, "adult_2000.parquet", CancellationToken.None);
        var csv = DatasetPreviewer.Preview(csvFile, "adult.csv", CancellationToken.None);

        Assert.Equal(TableFormat.Parquet, parquet.Format);
        Assert.Equal(TableFormat.Csv, csv.Format);
        Assert.Equal(FixtureRows, parquet.RowCount);
        Assert.Equal(csv.RowCount, parquet.RowCount);
        Assert.Equal(csv.Columns.Select(c => c with { StorageType = null }), parquet.Columns.Select(c => c with { StorageType = null }), new ColumnComparer());
        var age = parquet.Columns.Single(c => c.Name == "age");
        Assert.Equal("numeric", age.Kind);
        Assert.Equal("INT64", age.StorageType);
        Assert.Null(csv.Columns.Single(c => c.Name == "age").StorageType);
    }

    [Fact]
    public void Preview_Adult_FindsSensitiveAndLabelColumns()
    {
        using var file = File.OpenRead(InteropFixtures.PathOf("adult_2000.parquet"));

        var preview = DatasetPreviewer.Preview(file, "adult_2000.parquet", CancellationToken.None);

        var sensitive = preview.Columns.Where(c => c.SensitiveReason is not null).Select(c => c.Name).ToList();
        Assert.Equal(["age", "marital-status", "race", "sex", "native-country"], sensitive);
        Assert.Contains("derive groups", preview.Columns.Single(c => c.Name == "age").SensitiveReason);
        var labels = preview.Columns.Where(c => c.LabelReason is not null).Select(c => c.Name).ToList();
        Assert.Equal(["sex", "income"], labels);
        var income = preview.Columns.Single(c => c.Name == "income");
        Assert.Equal(["<=50K", ">50K"], income.LabelValues.Select(v => v.Value));
        Assert.Equal(FixtureRows, income.LabelValues.Sum(v => v.Count));
        var workclass = preview.Columns.Single(c => c.Name == "workclass");
        Assert.Equal("categorical", workclass.Kind);
        Assert.True(workclass.MissingCount > 0, "workclass has '?' cells in the first rows of adult.csv");
        Assert.Equal("BYTE_ARRAY (UTF8)", workclass.StorageType);
    }

    [Fact]
    public void Load_TruncatedParquet_NamesFile()
    {
        byte[] bytes = File.ReadAllBytes(InteropFixtures.PathOf("adult_2000.parquet"));
        using var truncated = new MemoryStream(bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<EngineException>(() => DatasetLoader.Load(Definition, truncated, "half.parquet"));

        Assert.Equal("train_file", error.Field);
        Assert.Contains("half.parquet could not be read as a Parquet file", error.Message);
    }

    [Fact]
    public async Task Load_ListColumn_IsRejected()
    {
        var schema = new ParquetSchema(new DataField<string>("sex"), new DataField<int[]>("scores"));
        using var file = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(schema, file))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(schema.DataFields[0], new[] { "Male", "Female" }, null);
            await group.WriteAsync<int>(schema.DataFields[1], new[] { 1, 2, 3 }, new[] { 0, 1, 0 }, null, CancellationToken.None);
        }

        file.Position = 0;
        var error = Assert.Throws<EngineException>(() => DatasetLoader.Load(Definition, file, "lists.parquet"));

        Assert.Contains("Column 'scores' of lists.parquet", error.Message);
    }

    private static PreparedDataset LoadCsv()
    {
        using var csv = new MemoryStream(CsvSubset());
        return DatasetLoader.Load(Definition, csv, "adult.csv");
    }

    private static PreparedDataset LoadParquet()
    {
        using var parquet = File.OpenRead(InteropFixtures.PathOf("adult_2000.parquet"));
        return DatasetLoader.Load(Definition, parquet, "adult_2000.parquet");
    }

    /// <summary>The header and first 2,000 records of the shipped adult.csv.</summary>
    private static byte[] CsvSubset()
    {
        var lines = File.ReadLines(Path.Combine(DatasetProfiles.DataFolder, "adult.csv")).Take(FixtureRows + 1);
        return Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n");
    }

    private sealed class ColumnComparer : IEqualityComparer<ColumnPreview>
    {
        public bool Equals(ColumnPreview? x, ColumnPreview? y) =>
            x is not null && y is not null && x.Name == y.Name && x.Kind == y.Kind && x.MissingCount == y.MissingCount
            && x.DistinctCount == y.DistinctCount && x.Min == y.Min && x.Max == y.Max && x.TopValues.SequenceEqual(y.TopValues)
            && x.SensitiveReason == y.SensitiveReason && x.LabelReason == y.LabelReason && x.LabelValues.SequenceEqual(y.LabelValues);

        public int GetHashCode(ColumnPreview obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }
}
