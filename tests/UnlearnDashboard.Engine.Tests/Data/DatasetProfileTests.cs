using System.Diagnostics;
using UnlearnDashboard.Engine.Data;
using static UnlearnDashboard.Engine.Tests.Data.DatasetTestData;

namespace UnlearnDashboard.Engine.Tests.Data;

/// <summary>Test collection that runs alone, after the parallel tests, so that other tests do not slow its timings.</summary>
[CollectionDefinition(nameof(TimingCollection), DisableParallelization = true)]
public sealed class TimingCollection;

/// <summary>The Adult profile loaded once for the tests that read it.</summary>
public sealed class AdultFixture
{
    public PreparedDataset Data { get; } = DatasetProfiles.Load(DatasetProfiles.Adult);
}

/// <summary>The shipped datasets: UCI Adult (adult.csv and adult-test.csv) and Statlog German Credit.</summary>
public sealed class DatasetProfileTests(AdultFixture adult) : IClassFixture<AdultFixture>
{
    private PreparedDataset Adult => adult.Data;

    [Fact]
    public void Adult_TrainingFile_Has32561Records()
    {
        var file = Adult.Files[0];

        Assert.Equal("adult.csv", file.Source);
        Assert.Equal(32_561, file.Records);
        Assert.Equal(2_399, file.DroppedRows);
        Assert.Equal(30_162, file.CompleteRows);
        Assert.Equal(0, file.ExcludedRows);
    }

    [Fact]
    public void Adult_TrainingFile_CountsMissingPerColumn()
    {
        var missing = Adult.Files[0].MissingValues;

        Assert.Equal(1_836, missing["workclass"]);
        Assert.Equal(1_843, missing["occupation"]);
        Assert.Equal(583, missing["native-country"]);
        Assert.Equal(1_836 + 1_843 + 583, missing.Values.Sum());
    }

    [Fact]
    public void Adult_CompleteTrainingRows_MatchPublishedCounts()
    {
        TabularSplit[] rows = [Adult.Train, Adult.Validation];

        Assert.Equal(20_380, rows.Sum(s => CountGroup(s, "Male")));
        Assert.Equal(9_782, rows.Sum(s => CountGroup(s, "Female")));
        Assert.Equal(7_508, rows.Sum(CountPositives));
    }

    [Fact]
    public void Adult_TrainingRows_SplitNinetyTen()
    {
        Assert.Equal(27_146, Adult.Train.Count);
        Assert.Equal(3_016, Adult.Validation.Count);
        Assert.Empty(Adult.Train.RowIds.Intersect(Adult.Validation.RowIds));
    }

    [Fact]
    public void Adult_Validation_KeepsStrataShares()
    {
        var validation = Adult.Validation;

        Assert.Equal(1_398 + 640, CountGroup(validation, "Male"));
        Assert.Equal(867 + 111, CountGroup(validation, "Female"));
        Assert.Equal(640 + 111, CountPositives(validation));
    }

    [Fact]
    public void Adult_Test_IsCompleteRowsOfTestFile()
    {
        var test = Adult.Test;

        Assert.Equal(16_281, Adult.Files[1].Records);
        Assert.Equal(1_221, Adult.Files[1].DroppedRows);
        Assert.Equal(15_060, test.Count);
        Assert.Equal(3_700, CountPositives(test));
        Assert.Equal(10_147, CountGroup(test, "Male"));
        Assert.Equal(4_913, CountGroup(test, "Female"));
        Assert.Equal(32_561, test.RowIds.Min());
        Assert.True(test.RowIds.Max() < 32_561 + 16_281);
    }

    [Fact]
    public void Adult_Groups_AreMaleThenFemale()
    {
        Assert.Equal(["Male", "Female"], Adult.Groups);
        Assert.Equal("Male", Adult.ReferenceGroup);
        Assert.Equal(2_399 + 1_221, Adult.DroppedRows);
    }

    [Fact]
    public void Adult_NativeCountry_HasFewerLevelsInTest()
    {
        var training = Column(Adult.Train, "native-country").Concat(Column(Adult.Validation, "native-country")).Distinct().ToList();
        var test = Column(Adult.Test, "native-country").Distinct().ToList();

        Assert.Equal(41, training.Count);
        Assert.Equal(40, test.Count);
        Assert.Equal(["Holand-Netherlands"], training.Except(test));
    }

    [Fact]
    public void Adult_TrainEncoder_Gives104Features()
    {
        var encoder = FeatureEncoder.Fit(Adult.Train, Adult.Train.FeatureColumns, Adult.NumericColumns);

        float[] test = encoder.Encode(Adult.Test);

        Assert.Equal(104, encoder.FeatureCount);
        Assert.Equal(6, encoder.Columns.Count(c => c.IsNumeric));
        Assert.Equal(Adult.Test.Count * 104, test.Length);
    }

    [Fact]
    public void Adult_TestEncoder_Gives103Features()
    {
        var encoder = FeatureEncoder.Fit(Adult.Test, Adult.Test.FeatureColumns, Adult.NumericColumns);

        Assert.Equal(103, encoder.FeatureCount);
    }

    [Fact]
    public void Adult_AllTestRecords_Have3846Positives()
    {
        var definition = DatasetProfiles.Adult.Definition with { IgnoredColumns = ["workclass", "occupation", "native-country"] };
        string folder = DatasetProfiles.DataFolder;
        using var train = File.OpenRead(Path.Combine(folder, "adult.csv"));
        using var test = File.OpenRead(Path.Combine(folder, "adult-test.csv"));

        var data = DatasetLoader.Load(definition, train, "adult.csv", test, "adult-test.csv");

        Assert.Equal(16_281, data.Test.Count);
        Assert.Equal(3_846, CountPositives(data.Test));
        Assert.Equal(7_841, CountPositives(data.Train) + CountPositives(data.Validation));
    }

    [Fact]
    public void GermanCredit_Load_Has1000Rows()
    {
        var data = DatasetProfiles.Load(DatasetProfiles.GermanCredit);

        var splits = Splits(data).ToList();
        Assert.Equal(1_000, splits.Sum(s => s.Count));
        Assert.Equal(690, splits.Sum(s => CountGroup(s, "male")));
        Assert.Equal(310, splits.Sum(s => CountGroup(s, "female")));
        Assert.Equal(700, splits.Sum(CountPositives));
        Assert.Equal(["1", "2"], data.LabelValues);
        Assert.Equal(["male", "female"], data.Groups);
    }

    [Fact]
    public void GermanCredit_Load_SplitsSixtyTwentyTwenty()
    {
        var data = DatasetProfiles.Load(DatasetProfiles.GermanCredit);

        Assert.Equal(600, data.Train.Count);
        Assert.Equal(200, data.Validation.Count);
        Assert.Equal(200, data.Test.Count);
        Assert.Equal(140, CountPositives(data.Test));
        Assert.Equal(62, CountGroup(data.Test, "female"));
    }
}

/// <summary>Load time of the Adult profile.</summary>
[Collection(nameof(TimingCollection))]
public sealed class DatasetLoadTimeTests
{
    [Fact]
    public void Adult_Load_TakesUnderTwoSeconds()
    {
        DatasetProfiles.Load(DatasetProfiles.Adult);

        // The fastest of three loads, because other processes on a shared build machine can slow any one of them.
        var fastest = TimeSpan.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            var watch = Stopwatch.StartNew();
            DatasetProfiles.Load(DatasetProfiles.Adult);
            fastest = TimeSpan.FromTicks(Math.Min(fastest.Ticks, watch.Elapsed.Ticks));
        }

        Assert.True(fastest < TimeSpan.FromSeconds(2), $"Loading adult.csv and adult-test.csv took {fastest.TotalMilliseconds:F0} ms at best.");
    }
}
