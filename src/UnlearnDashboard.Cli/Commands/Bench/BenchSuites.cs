using System.Globalization;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Bench;

/// <summary>
/// One benchmark table: a dataset and sensitive attribute, run on one or more seeded splits whose results
/// are averaged.
/// </summary>
/// <param name="Title">Table title, for example "Adult (sex)".</param>
/// <param name="Splits">Datasets to run, one per split: a dataset already on the server, or one to upload.</param>
internal sealed record BenchSuite(string Title, IReadOnlyList<BenchDataset> Splits);

/// <summary>
/// A dataset of a suite. With <paramref name="Upload"/> null it must already be on the server (the demo
/// datasets); otherwise the bench uploads the files under that spec and trains the default model on it.
/// </summary>
/// <param name="ModelSettings">Settings of the model the bench trains on an uploaded dataset.</param>
internal sealed record BenchDataset(
    string Name,
    string SensitiveColumn,
    DatasetSpec? Upload,
    string TrainFile,
    string? TestFile,
    ModelSettings? ModelSettings = null);

/// <summary>The benchmark suites on the shipped UCI Adult and Statlog German Credit files.</summary>
internal static class BenchSuites
{
    /// <summary>Largest age of German Credit's younger group: 25 or under versus over 25, the rule the engine's detailed fairness uses.</summary>
    public const int AgeBoundary = 25;

    public static IReadOnlyList<BenchSuite> Create(int germanCreditSplits) =>
    [
        new("Adult (sex)", [new BenchDataset("adult", "sex", null, "adult.csv", "adult-test.csv")]),
        new("Adult (race)", [new BenchDataset("bench-adult-race", "race", AdultRace(), "adult.csv", "adult-test.csv")]),
        new("German Credit (sex)", Splits(germanCreditSplits, "sex", seed => GermanCredit($"bench-german-credit-sex-{seed}", "sex", seed))),
        new($"German Credit (age <= {AgeBoundary})", Splits(germanCreditSplits, "age_group",
            seed => GermanCredit($"bench-german-credit-age-{seed}", "age_group", seed))),
    ];

    private static List<BenchDataset> Splits(int count, string sensitive, Func<int, DatasetSpec> spec) =>
        Enumerable.Range(0, count)
            .Select(seed => new BenchDataset(spec(seed).Name, sensitive, spec(seed), "german-credit.csv", null, GermanCreditModel()))
            .ToList();

    /// <summary>
    /// The German Credit demo model's settings: 600 training rows make 3 batches of 256 an epoch, so the
    /// default 10 epochs leave the MLP approving every applicant; 50 epochs of batch 32 learn.
    /// </summary>
    private static ModelSettings GermanCreditModel() => new() { Epochs = 50, BatchSize = 32 };

    private static DatasetSpec AdultRace() => new()
    {
        Name = "bench-adult-race",
        LabelColumn = "income",
        FavourableLabel = ">50K",
        SensitiveColumn = "race",
        ReferenceGroup = "White",
        ValidationFraction = 0.1,
    };

    /// <summary>
    /// German Credit as the demo profile reads it (60/20/20, sex derived), with another split seed and sensitive
    /// column. Only the age suite adds the age group column, so the sex suite's model has the demo's features.
    /// </summary>
    private static DatasetSpec GermanCredit(string name, string sensitive, int seed)
    {
        var spec = new DatasetSpec
        {
            Name = name,
            LabelColumn = "credit_risk",
            FavourableLabel = "1",
            SensitiveColumn = sensitive,
            ValidationFraction = 0.2,
            TestFraction = 0.2,
            SplitSeed = (uint)seed,
        };
        var sex = new DerivedColumn { Name = "sex", SourceColumn = "personal_status_sex" };
        sex.Values.Add(new Dictionary<string, string>
        {
            ["A91"] = "male",
            ["A92"] = "female",
            ["A93"] = "male",
            ["A94"] = "male",
            ["A95"] = "female",
        });
        spec.DerivedColumns.Add(sex);

        if (sensitive != "age_group")
            return spec;

        // Value maps have no ranges, so the boundary is one entry per age up to it; every other age is over it.
        var ageGroup = new DerivedColumn { Name = "age_group", SourceColumn = "age", OtherValue = $"over {AgeBoundary}" };
        for (int age = 0; age <= AgeBoundary; age++)
            ageGroup.Values[age.ToString(CultureInfo.InvariantCulture)] = $"{AgeBoundary} or under";
        spec.DerivedColumns.Add(ageGroup);
        return spec;
    }
}
