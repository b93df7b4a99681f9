namespace UnlearnDashboard.Engine.Data;

/// <summary>A dataset that ships with the product: its definition, the files it reads and the demo model's settings.</summary>
public sealed record DatasetProfile(DatasetDefinition Definition, string TrainFile, string? TestFile)
{
    /// <summary>Settings of the demo model trained on this dataset; the defaults unless the data needs others.</summary>
    public Models.ModelSettings ModelSettings { get; init; } = new();
}

/// <summary>The demo datasets shipped in the <c>Datasets</c> folder beside the engine (sources in SOURCES.md there).</summary>
public static class DatasetProfiles
{
    /// <summary>Folder of the shipped CSV files in the build output.</summary>
    public static string DataFolder => Path.Combine(AppContext.BaseDirectory, "Datasets");

    /// <summary>
    /// UCI Adult: the 30,162 complete rows of adult.csv split 90/10 into train (27,146) and validation (3,016),
    /// stratified by label and sex with seed 0. Test is the complete rows of adult-test.csv (15,060).
    /// Favourable <c>&gt;50K</c>.
    /// </summary>
    public static DatasetProfile Adult { get; } = new(
        new DatasetDefinition
        {
            Name = "adult",
            LabelColumn = "income",
            FavourableLabel = ">50K",
            SensitiveColumn = "sex",
            ReferenceGroup = "Male",
            ValidationFraction = 0.1,
            SplitSeed = 0,
        },
        "adult.csv",
        "adult-test.csv");

    /// <summary>
    /// Statlog German Credit: 1,000 rows split 60/20/20 into train, validation and test, stratified by label
    /// and sex with seed 0. Favourable <c>credit_risk</c> = 1; <c>sex</c> derived from <c>personal_status_sex</c>.
    /// </summary>
    public static DatasetProfile GermanCredit { get; } = new(
        new DatasetDefinition
        {
            Name = "german-credit",
            LabelColumn = "credit_risk",
            FavourableLabel = "1",
            SensitiveColumn = "sex",
            ReferenceGroup = "male",
            ValidationFraction = 0.2,
            TestFraction = 0.2,
            SplitSeed = 0,
            DerivedColumns =
            [
                new DerivedColumn("sex", "personal_status_sex", new Dictionary<string, string>
                {
                    ["A91"] = "male",
                    ["A92"] = "female",
                    ["A93"] = "male",
                    ["A94"] = "male",
                    ["A95"] = "female",
                }),
            ],
        },
        "german-credit.csv",
        null)
    {
        // 600 training rows make 3 batches of 256 an epoch, so 10 epochs (30 Adam steps) leave the MLP
        // approving everyone (test accuracy 0.700, the base rate). 50 epochs of batch 32 reach 0.760.
        ModelSettings = new Models.ModelSettings { Epochs = 50, BatchSize = 32 },
    };

    public static IReadOnlyList<DatasetProfile> All => [Adult, GermanCredit];

    /// <summary>Returns the shipped profile with this name, or null.</summary>
    public static DatasetProfile? Find(string name) => All.FirstOrDefault(p => p.Definition.Name == name);

    /// <summary>Loads a shipped profile from <see cref="DataFolder"/>.</summary>
    public static PreparedDataset Load(DatasetProfile profile)
    {
        string trainPath = Path.Combine(DataFolder, profile.TrainFile);
        using var train = File.OpenRead(trainPath);
        if (profile.TestFile is null)
            return DatasetLoader.Load(profile.Definition, train, trainPath);

        string testPath = Path.Combine(DataFolder, profile.TestFile);
        using var test = File.OpenRead(testPath);
        return DatasetLoader.Load(profile.Definition, train, trainPath, test, testPath);
    }
}
