using System.Text.Json;
using Google.Protobuf;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Tests;

public sealed class ProtoJsonTests
{
    [Fact]
    public void Format_ZeroAndUnsetMetric_KeepsOnlyZero()
    {
        var result = TestResults.Debias();
        result.After.DemographicParityDifference = 0;
        result.After.ClearEqualOpportunityDifference();

        using var json = JsonDocument.Parse(ProtoJson.Format(result));

        var after = json.RootElement.GetProperty("after");
        Assert.Equal(0, after.GetProperty("demographicParityDifference").GetDouble());
        Assert.False(after.TryGetProperty("equalOpportunityDifference", out _));
        Assert.True(json.RootElement.GetProperty("before").TryGetProperty("equalOpportunityDifference", out _));
    }

    [Fact]
    public void Format_ParsedBack_EqualsOriginal()
    {
        var result = TestResults.Debias();
        result.Before.Accuracy = 0.1 + 0.2;
        result.After.DisparateImpactRatio = 1.0 / 3.0;

        var parsed = DebiasResult.Parser.ParseJson(ProtoJson.Format(result));

        Assert.Equal(result, parsed);
        Assert.Equal(0.1 + 0.2, parsed.Before.Accuracy);
    }

    [Fact]
    public void Format_Result_IsIndented()
    {
        var json = ProtoJson.Format(TestResults.Debias());

        Assert.Contains("\n  \"before\": {", json);
    }

    [Fact]
    public async Task WriteAsync_File_WritesJson()
    {
        var path = Path.Combine(Path.GetTempPath(), $"debias-{Guid.NewGuid():N}.json");
        var result = TestResults.Debias();

        try
        {
            await ProtoJson.WriteAsync(result, path, TextWriter.Null, CancellationToken.None);

            var parsed = JsonParser.Default.Parse<DebiasResult>(await File.ReadAllTextAsync(path));
            Assert.Equal(result, parsed);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task WriteAsync_Dash_WritesToStdout()
    {
        var stdout = new StringWriter();

        await ProtoJson.WriteAsync(TestResults.Debias(), "-", stdout, CancellationToken.None);

        Assert.Contains("\"removedSampleCount\": \"120\"", stdout.ToString());
    }
}
