using System.Text;
using UnlearnDashboard.Engine.Counterfactuals;

namespace UnlearnDashboard.Engine.Tests.Counterfactuals;

public sealed class CounterfactualCsvTests(DemoDataFixture fixture) : IClassFixture<DemoDataFixture>
{
    private CounterfactualSet CreateSet() =>
        CounterfactualGenerator.FromTraining(CounterfactualDefaults.Adult with { MaxRows = 200 }, fixture.Adult, CancellationToken.None);

    private static byte[] Write(CounterfactualSet set)
    {
        using var stream = new MemoryStream();
        set.WriteCsv(stream);
        return stream.ToArray();
    }

    private static CounterfactualSet Read(string csv) =>
        CounterfactualSet.ReadCsv(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "sex", "set.csv");

    [Fact]
    public void WriteCsv_RoundTrip_KeepsEveryValue()
    {
        var set = CreateSet();

        var read = CounterfactualSet.ReadCsv(new MemoryStream(Write(set)), "sex", "set.csv");

        Assert.Equal(set.MappedColumns, read.MappedColumns);
        Assert.Equal(set.Original.FeatureColumns, read.Original.FeatureColumns);
        Assert.Equal(set.Original.RowIds, read.Original.RowIds);
        Assert.Equal(set.Original.Labels, read.Counterfactual.Labels);
        Assert.Equal(set.Counterfactual.Groups, read.Counterfactual.Groups);
        for (int c = 0; c < set.Original.FeatureColumns.Count; c++)
        {
            Assert.Equal(set.Original.FeatureValues[c], read.Original.FeatureValues[c]);
            Assert.Equal(set.Counterfactual.FeatureValues[c], read.Counterfactual.FeatureValues[c]);
        }
    }

    [Fact]
    public void WriteCsv_SameSet_WritesSameBytes()
    {
        Assert.Equal(Write(CreateSet()), Write(CreateSet()));
    }

    [Fact]
    public void WriteCsv_Header_HasRoleAndFeatureColumns()
    {
        string text = Encoding.UTF8.GetString(Write(CreateSet()));

        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("role,row_id,label,mapped_columns,age,", lines[0]);
        Assert.StartsWith("original,", lines[1]);
        Assert.StartsWith("counterfactual,", lines[2]);
        Assert.Equal(401, lines.Length);
    }

    [Fact]
    public void ReadCsv_UnmappedDifference_NamesColumn()
    {
        string csv = "role,row_id,label,mapped_columns,sex,age\noriginal,1,1,sex,Male,30\ncounterfactual,1,1,sex,Female,31\n";

        var error = Assert.Throws<EngineException>(() => Read(csv));

        Assert.Equal("counterfactual_set", error.Field);
        Assert.Equal("age", error.Value);
    }

    [Fact]
    public void ReadCsv_MissingCounterfactual_NamesRow()
    {
        string csv = "role,row_id,label,mapped_columns,sex,age\noriginal,1,1,sex,Male,30\noriginal,2,0,sex,Male,40\ncounterfactual,1,1,sex,Female,30\n";

        var error = Assert.Throws<EngineException>(() => Read(csv));

        Assert.Equal("counterfactual_set", error.Field);
    }

    [Fact]
    public void ReadCsv_UnknownRole_NamesRole()
    {
        string csv = "role,row_id,label,mapped_columns,sex,age\nsource,1,1,sex,Male,30\n";

        var error = Assert.Throws<EngineException>(() => Read(csv));

        Assert.Equal("source", error.Value);
    }

    [Fact]
    public void ReadCsv_MissingRoleColumn_NamesColumn()
    {
        string csv = "row_id,label,mapped_columns,sex,age\n1,1,sex,Male,30\n";

        var error = Assert.Throws<EngineException>(() => Read(csv));

        Assert.Equal("role", error.Value);
    }
}
