using System.Text;
using UnlearnDashboard.Engine.Data;

namespace UnlearnDashboard.Engine.Tests.Data;

/// <summary>Loads datasets from CSV text and from the case files copied to the test output.</summary>
internal static class DatasetTestData
{
    public static string CasePath(string file) => Path.Combine(AppContext.BaseDirectory, "Cases", file);

    /// <summary>A definition with label <c>y</c> (favourable 1) and sensitive <c>sex</c> that keeps every training row in train.</summary>
    public static DatasetDefinition Definition() => new()
    {
        Name = "test",
        LabelColumn = "y",
        FavourableLabel = "1",
        SensitiveColumn = "sex",
        ValidationFraction = 0,
        TestFraction = 0,
    };

    /// <summary>The Adult columns and label, keeping every training row in train.</summary>
    public static DatasetDefinition AdultDefinition() => DatasetProfiles.Adult.Definition with
    {
        ValidationFraction = 0,
        TestFraction = 0,
    };

    public static PreparedDataset Load(DatasetDefinition definition, string trainCsv, string? testCsv = null)
    {
        using var train = new MemoryStream(Encoding.UTF8.GetBytes(trainCsv));
        using var test = testCsv is null ? null : new MemoryStream(Encoding.UTF8.GetBytes(testCsv));
        return DatasetLoader.Load(definition, train, "train.csv", test, testCsv is null ? null : "test.csv");
    }

    public static PreparedDataset LoadBytes(DatasetDefinition definition, byte[] trainCsv)
    {
        using var train = new MemoryStream(trainCsv);
        return DatasetLoader.Load(definition, train, "train.csv");
    }

    public static PreparedDataset LoadCase(DatasetDefinition definition, string trainFile, string? testFile = null)
    {
        using var train = File.OpenRead(CasePath(trainFile));
        using var test = testFile is null ? null : File.OpenRead(CasePath(testFile));
        return DatasetLoader.Load(definition, train, CasePath(trainFile), test, testFile is null ? null : CasePath(testFile));
    }

    /// <summary>Loads and returns the invalid-argument error, failing the test when loading succeeds or fails otherwise.</summary>
    public static EngineException LoadInvalid(DatasetDefinition definition, string trainCsv, string? testCsv = null)
    {
        var error = Assert.Throws<EngineException>(() => Load(definition, trainCsv, testCsv));
        Assert.Equal(EngineErrorKind.InvalidArgument, error.Kind);
        return error;
    }

    /// <summary>Values of one feature column of a split.</summary>
    public static string[] Column(TabularSplit split, string column)
    {
        int index = split.FeatureColumns.ToList().IndexOf(column);
        Assert.True(index >= 0, $"'{column}' is not a feature column of {split.Name}: {string.Join(", ", split.FeatureColumns)}");
        return split.FeatureValues[index];
    }

    /// <summary>All rows of the train, validation and test splits.</summary>
    public static IEnumerable<TabularSplit> Splits(PreparedDataset data) => [data.Train, data.Validation, data.Test];

    public static int CountGroup(TabularSplit split, string group) => split.Groups.Count(g => g == group);

    public static int CountPositives(TabularSplit split) => split.Labels.Count(l => l == 1f);
}
