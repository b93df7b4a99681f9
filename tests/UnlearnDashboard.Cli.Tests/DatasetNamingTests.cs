using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Tests;

public sealed class DatasetNamingTests
{
    private static readonly LocalDatasetFiles Files = new("/data/adult.csv", new string('a', 64), TestPath: null, TestSha256: null);

    [Theory]
    [InlineData("/data/adult.csv", "adult")]
    [InlineData("/data/German Credit (2024).csv", "German-Credit--2024")]
    [InlineData("/data/.csv", "dataset")]
    [InlineData("/data/_draft_.csv", "draft")]
    [InlineData("/data/ümlaut.data.csv", "mlaut.data")]
    public void Stem_FileName_KeepsAllowedCharacters(string path, string expectedStem)
    {
        var stem = DatasetNaming.Stem(path);

        Assert.Equal(expectedStem, stem);
    }

    [Fact]
    public void Create_SameInput_ReturnsSameName()
    {
        var spec = new DatasetSpec { LabelColumn = "income", FavourableLabel = ">50K", SensitiveColumn = "sex" };

        var first = DatasetNaming.Create(Files, spec);
        var second = DatasetNaming.Create(Files, spec.Clone());

        Assert.Equal(first, second);
        Assert.Matches("^adult-[0-9a-f]{8}$", first);
    }

    [Fact]
    public void Create_OtherSpec_ReturnsOtherName()
    {
        var spec = new DatasetSpec { LabelColumn = "income", FavourableLabel = ">50K", SensitiveColumn = "sex" };
        var otherSpec = spec.Clone();
        otherSpec.SensitiveColumn = "race";

        var name = DatasetNaming.Create(Files, spec);
        var otherName = DatasetNaming.Create(Files, otherSpec);

        Assert.NotEqual(name, otherName);
    }
}
