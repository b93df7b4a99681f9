using System.Globalization;
using UnlearnDashboard.Cli.Commands.Generate;

namespace UnlearnDashboard.Cli.Tests;

public sealed class AdultResamplerTests
{
    /// <summary>The Adult training file in the repository, which the product ships.</summary>
    internal static readonly string AdultPath = Path.Combine(FindRepositoryRoot(), "src", "UnlearnDashboard.Engine", "Datasets", "adult.csv");

    [Fact]
    public void Write_SameSeed_GivesSameText()
    {
        var resampler = ReadAdult();

        string first = Generate(resampler, 2_000, seed: 7);
        string second = Generate(resampler, 2_000, seed: 7);
        string otherSeed = Generate(resampler, 2_000, seed: 8);

        Assert.Equal(first, second);
        Assert.NotEqual(first, otherSeed);
    }

    [Fact]
    public void Write_20000Rows_KeepsAdultColumnsAndShares()
    {
        var source = ReadRows(File.ReadAllText(AdultPath));
        var generated = ReadRows(Generate(ReadAdult(), 20_000, seed: 7));

        Assert.Equal(AdultResampler.Columns, generated.Header);
        Assert.Equal(20_000, generated.Rows.Count);
        Assert.All(generated.Rows, row => Assert.Equal(AdultResampler.Columns.Count, row.Length));

        Assert.Equal(["<=50K", ">50K"], Distinct(generated, "income"));
        Assert.Equal(["Female", "Male"], Distinct(generated, "sex"));
        Assert.Equal(Share(source, "income", ">50K"), Share(generated, "income", ">50K"), 0.015);
        Assert.Equal(Share(source, "sex", "Female"), Share(generated, "sex", "Female"), 0.015);
        Assert.Equal(Share(source, "workclass", "?"), Share(generated, "workclass", "?"), 0.01);
        Assert.Equal(Mean(source, "age"), Mean(generated, "age"), 1.0);
        Assert.Equal(Mean(source, "hours-per-week"), Mean(generated, "hours-per-week"), 1.0);

        Assert.InRange(Numbers(generated, "age").Min(), 17, 90);
        Assert.InRange(Numbers(generated, "age").Max(), 17, 90);
        Assert.InRange(Numbers(generated, "hours-per-week").Min(), 1, 99);
        Assert.True(Numbers(generated, "capital-gain").All(v => v >= 0), "a capital gain is negative");
        Assert.True(Numbers(generated, "fnlwgt").All(v => v > 0), "an fnlwgt is not positive");
        Assert.True(Distinct(generated, "fnlwgt").Count > 15_000, "fnlwgt is not jittered");
    }

    [Fact]
    public void Write_20000Rows_KeepsLinkedColumnsConsistent()
    {
        var source = ReadRows(File.ReadAllText(AdultPath));
        var generated = ReadRows(Generate(ReadAdult(), 20_000, seed: 7));

        foreach (var (first, second) in new[] { ("relationship", "sex"), ("relationship", "marital-status"), ("education", "education-num") })
        {
            var allowed = Pairs(source, first, second);
            var unexpected = Pairs(generated, first, second).Except(allowed).ToList();
            Assert.True(unexpected.Count == 0, $"pairs of {first} and {second} that Adult does not have: {string.Join("; ", unexpected)}");
        }
    }

    [Fact]
    public void Read_MissingColumn_NamesColumn()
    {
        var error = Assert.Throws<UsageException>(() => AdultResampler.Read(new StringReader("age,sex,income\n30,Male,<=50K\n"), "small.csv"));

        Assert.Contains("'workclass'", error.Message);
        Assert.Contains("small.csv", error.Message);
    }

    [Fact]
    public void Read_NonNumericAge_NamesColumnAndValue()
    {
        string header = string.Join(",", AdultResampler.Columns);
        string row = "thirty,Private,1000,HS-grad,9,Never-married,Sales,Own-child,White,Male,0,0,40,United-States,<=50K";

        var error = Assert.Throws<UsageException>(() => AdultResampler.Read(new StringReader(header + "\n" + row + "\n"), "bad.csv"));

        Assert.Contains("'age'", error.Message);
        Assert.Contains("'thirty'", error.Message);
    }

    private static AdultResampler ReadAdult()
    {
        using var reader = new StreamReader(AdultPath);
        return AdultResampler.Read(reader, AdultPath);
    }

    private static string Generate(AdultResampler resampler, long rows, int seed)
    {
        var writer = new StringWriter();
        resampler.Write(writer, rows, seed, CancellationToken.None);
        return writer.ToString();
    }

    private sealed record Table(string[] Header, List<string[]> Rows)
    {
        public int IndexOf(string column) => Array.IndexOf(Header, column);
    }

    private static Table ReadRows(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        static string[] Split(string line) => line.Split(',').Select(f => f.Trim()).ToArray();
        return new Table(Split(lines[0]), lines.Skip(1).Select(Split).ToList());
    }

    private static List<string> Distinct(Table table, string column) =>
        table.Rows.Select(r => r[table.IndexOf(column)]).Distinct().Order(StringComparer.Ordinal).ToList();

    private static double Share(Table table, string column, string value) =>
        table.Rows.Count(r => r[table.IndexOf(column)] == value) / (double)table.Rows.Count;

    private static List<double> Numbers(Table table, string column) =>
        table.Rows.Select(r => double.Parse(r[table.IndexOf(column)], CultureInfo.InvariantCulture)).ToList();

    private static double Mean(Table table, string column) => Numbers(table, column).Average();

    private static HashSet<string> Pairs(Table table, string first, string second) =>
        table.Rows.Select(r => r[table.IndexOf(first)] + " / " + r[table.IndexOf(second)]).ToHashSet();

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "UnlearnDashboard.sln")))
                return folder.FullName;
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} contains UnlearnDashboard.sln.");
    }
}
