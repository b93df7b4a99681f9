using System.Net;
using System.Net.Sockets;
using UnlearnDashboard.Cli.Commands.Debias;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Tests;

public sealed class DebiasFlagTests
{
    private static readonly string[] Base = ["--dataset", "adult", "--sensitive", "sex"];

    [Fact]
    public void Parse_NoMethodFlags_LeavesFieldsUnset()
    {
        var request = Parse();

        Assert.False(request.HasMethod);
        Assert.False(request.HasDamping);
        Assert.False(request.HasNewtonSteps);
        Assert.Equal(BiasObjective.Unspecified, request.Objective);
        Assert.Equal(InfluenceSolver.Unspecified, request.Solver);
        Assert.Empty(request.CounterfactualSetId);
        Assert.Empty(request.Layers);
    }

    [Fact]
    public void Parse_EveryMethodFlag_FillsRequest()
    {
        var request = Parse(
            "--method", "counterfactual-fine-tune", "--layers", "fc2,fc3", "--damping", "0.01", "--solver", "lissa",
            "--objective", "fpr-gap", "--curvature", "gauss-newton", "--saliency", "gradient-times-weight",
            "--newton-steps", "3", "--saliency-fraction", "0.2", "--steps", "50", "--lr", "0.01", "--mu", "2",
            "--retain-weight", "0.8", "--seed", "4", "--counterfactual-set", "set-1");

        Assert.Equal(DebiasMethod.CounterfactualFineTune, request.Method);
        Assert.Equal(["fc2", "fc3"], request.Layers);
        Assert.Equal(0.01, request.Damping);
        Assert.Equal(InfluenceSolver.Lissa, request.Solver);
        Assert.Equal(BiasObjective.FalsePositiveRate, request.Objective);
        Assert.Equal(Curvature.GaussNewton, request.Curvature);
        Assert.Equal(Saliency.GradientTimesWeight, request.Saliency);
        Assert.Equal(3, request.NewtonSteps);
        Assert.Equal(0.2, request.SaliencyFraction);
        Assert.Equal(50, request.Steps);
        Assert.Equal(0.01, request.LearningRate);
        Assert.Equal(2, request.CounterfactualWeight);
        Assert.Equal(0.8, request.RetainWeight);
        Assert.Equal(4u, request.Seed);
        Assert.Equal("set-1", request.CounterfactualSetId);
    }

    [Theory]
    [InlineData("influence-newton", DebiasMethod.InfluenceNewton)]
    [InlineData("counterfactual-replacement", DebiasMethod.CounterfactualReplacement)]
    [InlineData("gradient-ascent", DebiasMethod.GradientAscent)]
    [InlineData("saliency-masked", DebiasMethod.SaliencyMasked)]
    [InlineData("data-free", DebiasMethod.DataFree)]
    public void Parse_Method_MapsToEnum(string name, DebiasMethod expected)
    {
        var request = Parse("--method", name);

        Assert.Equal(expected, request.Method);
    }

    [Fact]
    public void Parse_EvidenceParts_TurnsOnlyThoseOn()
    {
        var request = Parse("--evidence", "retrain,membership");

        Assert.True(request.Evidence.Retrain);
        Assert.True(request.Evidence.MembershipInference);
        Assert.False(request.Evidence.Reweighing);
        Assert.False(request.Evidence.GroupThresholds);
        Assert.False(request.Evidence.RandomControl);
        Assert.False(request.Evidence.SeedBand);
    }

    [Fact]
    public void Parse_NoEvidenceFlag_LeavesEvidenceUnset()
    {
        var request = Parse();

        Assert.Null(request.Evidence);
    }

    [Fact]
    public void Parse_AutoLayers_PassesAuto()
    {
        var request = Parse("--layers", "auto");

        Assert.Equal(["auto"], request.Layers);
    }

    [Theory]
    [InlineData("--method", "magic")]
    [InlineData("--solver", "newton")]
    [InlineData("--objective", "parity")]
    [InlineData("--evidence", "everything")]
    public async Task Parse_UnknownChoice_NamesOption(string option, string value)
    {
        var run = await CliRun.RunAsync(["debias", .. Base, option, value, "--server", CliRun.ClosedServer]);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains(option, run.Stderr);
        Assert.Contains(value, run.Stderr);
    }

    [Theory]
    [InlineData(new[] { "--evidence", "" }, "Invalid value '' for option '--evidence': it contains an empty part.")]
    [InlineData(new[] { "--evidence", "retrain,,membership" }, "Invalid value 'retrain,,membership' for option '--evidence': it contains an empty part.")]
    [InlineData(new[] { "--evidence", "retrain," }, "Invalid value 'retrain,' for option '--evidence': it contains an empty part.")]
    [InlineData(new[] { "--evidence", "retrain,retrain" }, "Invalid value 'retrain,retrain' for option '--evidence': it names 'retrain' more than once")]
    [InlineData(new[] { "--evidence", "retrain", "--evidence", "retrain" }, "Invalid value 'retrain' for option '--evidence': it names 'retrain' more than once")]
    public async Task Parse_EvidenceEmptyOrRepeatedPart_IsUsageError(string[] flags, string expected)
    {
        var run = await CliRun.RunAsync(["debias", .. Base, .. flags, "--server", CliRun.ClosedServer]);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains(expected, run.Stderr);
        Assert.DoesNotContain("UNAVAILABLE", run.Stderr);
    }

    [Fact]
    public void Parse_EvidenceParts_FillRequest()
    {
        var request = Parse("--evidence", "retrain, membership", "--evidence", "seed-band");

        Assert.True(request.Evidence.Retrain);
        Assert.True(request.Evidence.MembershipInference);
        Assert.True(request.Evidence.SeedBand);
        Assert.False(request.Evidence.GroupThresholds);
    }

    [Theory]
    [InlineData("--newton-steps", "0", "[1, 50]")]
    [InlineData("--newton-steps", "51", "[1, 50]")]
    [InlineData("--damping", "-1", "[0, 10000]")]
    [InlineData("--damping", "1e5", "[0, 10000]")]
    [InlineData("--saliency-fraction", "0", "(0, 1]")]
    [InlineData("--steps", "0", "[1, 10000]")]
    [InlineData("--mu", "-0.5", "[0, 100]")]
    [InlineData("--mu", "1e308", "[0, 100]")]
    [InlineData("--retain-weight", "1.5", "[0, 1]")]
    [InlineData("--deadline", "0", "(0, 2592000]")]
    [InlineData("--deadline", "1e308", "(0, 2592000]")]
    public async Task Parse_NumberOutOfRange_NamesOptionAndRange(string option, string value, string range)
    {
        var run = await CliRun.RunAsync(["debias", .. Base, option, value, "--server", CliRun.ClosedServer]);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains($"'{option}'", run.Stderr);
        Assert.Contains(range, run.Stderr);
    }

    [Theory]
    [InlineData(new[] { "--method", "data-free" }, "'--method data-free' cannot be used with --data")]
    [InlineData(new[] { "--method", "counterfactual-fine-tune" }, "'--method counterfactual-fine-tune' cannot be used with --data")]
    [InlineData(new[] { "--seed", "3" }, "'--seed' cannot be used with --data here")]
    [InlineData(new[] { "--method", "influence-newton", "--seed", "3", "--solver", "cg" }, "'--seed' cannot be used with --data here")]
    public async Task Parse_WithDataRejectedFlags_FailBeforeUpload(string[] flags, string expected)
    {
        var run = await CliRun.RunAsync(["debias", "--data", "a.csv", "--label", "income", "--positive", ">50K", "--sensitive", "sex",
            .. flags, "--server", CliRun.ClosedServer]);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains(expected, run.Stderr);
    }

    [Theory]
    [InlineData(new[] { "--method", "gradient-ascent", "--seed", "-1" }, "Invalid value '-1' for option '--seed'")]
    [InlineData(new[] { "--seed", "x" }, "Invalid value 'x' for option '--seed'")]
    [InlineData(new[] { "--remove-fraction", "0.9" }, "Invalid value '0.9' for option '--remove-fraction'")]
    public async Task Parse_WithDataBadNumber_IsUsageError(string[] flags, string expected)
    {
        var run = await CliRun.RunAsync(["debias", "--data", "a.csv", "--label", "income", "--positive", ">50K", "--sensitive", "sex",
            .. flags, "--server", CliRun.ClosedServer]);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains(expected, run.Stderr);
    }

    [Theory]
    [InlineData(new[] { "--epochs", "100000" }, "Invalid value '100000' for option '--epochs': expected a number in [1, 1000].")]
    [InlineData(new[] { "--epochs", "0" }, "Invalid value '0' for option '--epochs': expected a number in [1, 1000].")]
    [InlineData(new[] { "--layers", "fc9" }, "Invalid layer 'fc9' for option '--layers': the MLP that --data trains has the layers fc1, fc2, fc3.")]
    [InlineData(new[] { "--layers", "fc2,fc4" }, "Invalid layer 'fc4' for option '--layers'")]
    [InlineData(new[] { "--layers", "fc3", "--layers", "fc3" }, "Invalid layer 'fc3' for option '--layers': the layer is named more than once")]
    [InlineData(new[] { "--layers", "fc1,auto" }, "Invalid value 'auto' for option '--layers': it chooses the layers itself, so give it alone.")]
    public async Task Parse_WithDataBadModelValue_SendsNothing(string[] flags, string expected)
    {
        // The listener closes each connection at once, so that a CLI that connects fails quickly instead of waiting.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int connections = 0;
        var acceptLoop = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    using var client = await listener.AcceptTcpClientAsync();
                    Interlocked.Increment(ref connections);
                }
            }
            catch (Exception error) when (error is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                // The listener stopped at the end of the test.
            }
        });
        var server = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        string dataPath = Path.Combine(Path.GetTempPath(), $"debias-data-{Guid.NewGuid():N}.csv");
        File.WriteAllText(dataPath, "age,sex,income\n30,male,yes\n40,female,no\n");
        try
        {
            var run = await CliRun.RunAsync(["debias", "--data", dataPath, "--label", "income", "--positive", "yes", "--sensitive", "sex",
                .. flags, "--server", server]);

            Assert.Equal(ExitCodes.UsageError, run.ExitCode);
            Assert.Contains(expected, run.Stderr);
            Assert.Equal(0, Volatile.Read(ref connections));
        }
        finally
        {
            listener.Stop();
            await acceptLoop;
            File.Delete(dataPath);
        }
    }

    [Theory]
    [InlineData("fc3")]
    [InlineData("fc1,fc2,fc3")]
    [InlineData("auto")]
    public async Task Parse_WithDataKnownLayers_PassesParsing(string layers)
    {
        // The server is closed, so the run fails after parsing, on the missing file or the connection.
        var run = await CliRun.RunAsync("debias", "--data", "a.csv", "--label", "income", "--positive", ">50K", "--sensitive", "sex",
            "--layers", layers, "--epochs", "1000", "--server", CliRun.ClosedServer);

        Assert.DoesNotContain("--layers", run.Stderr);
        Assert.DoesNotContain("--epochs", run.Stderr);
    }

    [Fact]
    public void Parse_WithData_SendsModelLayersItChecks()
    {
        var upload = DebiasCommand.ParseSettings(["--data", "a.csv", "--label", "income", "--positive", "yes", "--sensitive", "sex"],
            CliConsole.ForWriters(TextWriter.Null, TextWriter.Null)).Upload;

        Assert.NotNull(upload);
        Assert.Equal(Architecture.Mlp, upload.ModelSettings.Architecture);
        Assert.Equal([64, 32], upload.ModelSettings.Hidden);
    }

    [Theory]
    [InlineData("--method", "gradient-ascent")]
    [InlineData("--solver", "lissa")]
    public async Task Parse_WithDataSeedThatIsRead_PassesParsing(string option, string value)
    {
        // The server is closed, so the run fails after parsing, on the missing file or the connection.
        var run = await CliRun.RunAsync("debias", "--data", "a.csv", "--label", "income", "--positive", ">50K", "--sensitive", "sex",
            option, value, "--seed", "3", "--server", CliRun.ClosedServer);

        Assert.DoesNotContain("--seed", run.Stderr);
    }

    [Fact]
    public async Task Parse_CounterfactualSetWithData_ReturnsUsageError()
    {
        var run = await CliRun.RunAsync("debias", "--data", "a.csv", "--label", "income", "--positive", ">50K", "--sensitive", "sex",
            "--counterfactual-set", "set-1", "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("'--counterfactual-set' cannot be used with --data", run.Stderr);
    }

    private static DebiasRequest Parse(params string[] flags) =>
        DebiasCommand.ParseSettings([.. Base, .. flags], CliConsole.ForWriters(TextWriter.Null, TextWriter.Null)).Request;
}
