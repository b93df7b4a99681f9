using System.Net;
using System.Net.Sockets;

namespace UnlearnDashboard.Cli.Tests;

public sealed class ParseTests
{
    [Fact]
    public async Task Parse_FractionNotNumber_ReturnsUsageError()
    {
        var run = await CliRun.RunAsync("debias", "--dataset", "adult", "--sensitive", "sex", "--remove-fraction", "five", "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("'--remove-fraction'", run.Stderr);
        Assert.Contains("'five'", run.Stderr);
    }

    [Theory]
    [InlineData(new string[0], "Give --min-impact-ratio, --max-accuracy-drop or both, or --off")]
    [InlineData(new[] { "--off", "--max-accuracy-drop", "0.01" }, "--off checks no rule")]
    public async Task Parse_GateSetRules_NeedOneOrOff(string[] options, string message)
    {
        var run = await CliRun.RunAsync(["versions", "gate", "set", "model-1", .. options, "--server", CliRun.ClosedServer]);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains(message, run.Stderr);
    }

    [Theory]
    [InlineData("--min-impact-ratio", "1.5")]
    [InlineData("--min-impact-ratio", "NaN")]
    [InlineData("--max-accuracy-drop", "-0.1")]
    public async Task Parse_GateSetRuleOutOfRange_IsUsageError(string option, string value)
    {
        var run = await CliRun.RunAsync("versions", "gate", "set", "model-1", option, value, "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains($"Invalid value '{value}' for option '{option}': expected a number in [0, 1].", run.Stderr);
        Assert.DoesNotContain("Give --min-impact-ratio", run.Stderr);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task Parse_EmptyApiKey_ReturnsUsageError(string key)
    {
        var run = await CliRun.RunAsync("whoami", "--api-key", key, "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("'--api-key'", run.Stderr);
        Assert.Contains("the key is empty", run.Stderr);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-0.01")]
    public async Task Parse_AccuracyLossOutOfRange_ReturnsUsageError(string loss)
    {
        var run = await CliRun.RunAsync("debias", "--dataset", "adult", "--sensitive", "sex", "--max-accuracy-loss", loss, "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("'--max-accuracy-loss'", run.Stderr);
        Assert.Contains("[0, 1]", run.Stderr);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0.1")]
    [InlineData("0.51")]
    [InlineData("NaN")]
    public async Task Parse_FractionOutOfRange_ReturnsUsageError(string fraction)
    {
        var run = await CliRun.RunAsync("debias", "--dataset", "adult", "--sensitive", "sex", "--remove-fraction", fraction, "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("'--remove-fraction'", run.Stderr);
        Assert.Contains("(0, 0.5]", run.Stderr);
    }

    [Theory]
    [InlineData(new[] { "--sensitive", "" }, "Invalid value '' for option '--sensitive': expected a column name.")]
    [InlineData(new[] { "--sensitive", "sex", "--model", "" }, "Invalid value '' for option '--model': expected a model version id.")]
    [InlineData(new[] { "--sensitive", "sex", "--counterfactual-set", " " }, "Invalid value ' ' for option '--counterfactual-set': expected a counterfactual set id.")]
    [InlineData(new[] { "--sensitive", "sex", "--layers", "fc2,,fc3" }, "Invalid value 'fc2,,fc3' for option '--layers': a layer name is empty.")]
    [InlineData(new[] { "--sensitive", "sex", "--seed", "4294967295" }, "'--seed': expected a number in [0, 2147483647]")]
    public async Task Parse_EmptyNameOrLargeSeed_IsUsageError(string[] options, string message)
    {
        var run = await CliRun.RunAsync(["debias", "--dataset", "adult", .. options, "--server", CliRun.ClosedServer]);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains(message, run.Stderr);
    }

    [Theory]
    [InlineData(new[] { "train", "--dataset", "adult", "--seed", "-1" }, "Invalid value '-1' for option '--seed': expected a number in [0, 2147483647].")]
    [InlineData(new[] { "train", "--dataset", "adult", "--seed", "2147483648" }, "Invalid value '2147483648' for option '--seed': expected a number in [0, 2147483647].")]
    [InlineData(new[] { "compare", "v-1", "v-2", "--seed", "-1" }, "Invalid value '-1' for option '--seed': expected a number in [0, 4294967295].")]
    [InlineData(new[] { "compare", "v-1", "v-2", "--resamples", "5" }, "Invalid value '5' for option '--resamples': expected a number in [10, 100000].")]
    [InlineData(new[] { "compare", "v-1", "v-2", "--examples", "x" }, "Invalid value 'x' for option '--examples': expected a number in [0, 100].")]
    [InlineData(new[] { "audit", "list", "--limit", "-1" }, "Invalid value '-1' for option '--limit': expected a number >= 1.")]
    [InlineData(new[] { "audit", "list", "--limit", "many" }, "Invalid value 'many' for option '--limit': expected a number >= 1.")]
    public async Task Parse_WholeNumberOutOfRange_NamesRange(string[] args, string message)
    {
        var run = await CliRun.RunAsync([.. args, "--server", CliRun.ClosedServer]);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains(message, run.Stderr);
        Assert.DoesNotContain("System.", run.Stderr);
    }

    [Theory]
    [InlineData(new[] { "--hidden", "64,,32" }, "Invalid value '64,,32' for option '--hidden': it contains an empty width.")]
    [InlineData(new[] { "--hidden", "64," }, "Invalid value '64,' for option '--hidden': it contains an empty width.")]
    [InlineData(new[] { "--hidden", "" }, "Invalid value '' for option '--hidden': it contains an empty width.")]
    [InlineData(new[] { "--hidden", "64,0" }, "Invalid width '0' for option '--hidden': expected a whole number in [1, 4096].")]
    [InlineData(new[] { "--hidden", "5000" }, "Invalid width '5000' for option '--hidden': expected a whole number in [1, 4096].")]
    [InlineData(new[] { "--architecture", "logistic-regression", "--hidden", "8" }, "Option '--hidden' cannot be used with '--architecture logistic-regression'")]
    public async Task Train_InvalidHidden_IsUsageError(string[] options, string message)
    {
        var run = await CliRun.RunAsync(["train", "--dataset", "adult", .. options, "--server", CliRun.ClosedServer]);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains(message, run.Stderr);
        Assert.DoesNotContain("UNAVAILABLE", run.Stderr);
    }

    [Theory]
    [InlineData("--hidden", "64,32")]
    [InlineData("--architecture", "logistic-regression")]
    public async Task Train_ValidHidden_PassesParsing(string option, string value)
    {
        // The server is closed, so a command line that parses fails on the connection.
        var run = await CliRun.RunAsync("train", "--dataset", "adult", option, value, "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("UNAVAILABLE", run.Stderr);
    }

    [Fact]
    public async Task Parse_AuditLimitLeftOut_UsesDefault()
    {
        var run = await CliRun.RunAsync("audit", "list", "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("UNAVAILABLE", run.Stderr);
    }

    [Fact]
    public async Task Parse_MissingSensitive_NamesOption()
    {
        var run = await CliRun.RunAsync("debias", "--dataset", "adult", "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("'--sensitive' is required", run.Stderr);
        Assert.Contains("unlearn debias --help", run.Stderr);
    }

    [Fact]
    public async Task Run_EmptyOrFolderData_IsUsageError()
    {
        string folder = Directory.CreateTempSubdirectory("debias-data-").FullName;
        try
        {
            string empty = Path.Combine(folder, "empty.csv");
            File.WriteAllBytes(empty, []);
            string[] flags = ["--label", "label", "--positive", "yes", "--sensitive", "sex", "--server", CliRun.ClosedServer];

            var emptyRun = await CliRun.RunAsync(["debias", "--data", empty, .. flags]);
            var folderRun = await CliRun.RunAsync(["debias", "--data", folder, .. flags]);

            Assert.Equal(ExitCodes.UsageError, emptyRun.ExitCode);
            Assert.Contains($"file '{empty}' is empty (given to --data).", emptyRun.Stderr);
            Assert.Equal(ExitCodes.UsageError, folderRun.ExitCode);
            Assert.Contains($"'{folder}' is a folder, not a file (given to --data).", folderRun.Stderr);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Parse_DataWithoutLabel_NamesOptions()
    {
        var run = await CliRun.RunAsync("debias", "--data", "adult.csv", "--sensitive", "sex", "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("'--label' is required with --data", run.Stderr);
        Assert.Contains("'--positive' is required with --data", run.Stderr);
    }

    [Fact]
    public async Task Parse_DatasetAndData_ReturnsUsageError()
    {
        var run = await CliRun.RunAsync("debias", "--dataset", "adult", "--data", "adult.csv", "--sensitive", "sex");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("either --dataset", run.Stderr);
    }

    [Fact]
    public async Task Parse_UploadOptionWithDataset_ReturnsUsageError()
    {
        var run = await CliRun.RunAsync("debias", "--dataset", "adult", "--sensitive", "sex", "--label", "income");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("'--label' applies only with --data", run.Stderr);
    }

    [Fact]
    public async Task Parse_NegativeAfter_ReturnsUsageError()
    {
        var run = await CliRun.RunAsync("jobs", "watch", "job-1", "--after", "-1");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("'--after'", run.Stderr);
    }

    [Fact]
    public async Task Parse_NoCommand_ReturnsUsageError()
    {
        var run = await CliRun.RunAsync();

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("unlearn --help", run.Stderr);
    }

    [Fact]
    public async Task Parse_InvalidServerUrl_ReturnsUsageError()
    {
        var run = await CliRun.RunAsync("datasets", "list", "--server", "localhost:5001");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("invalid --server URL 'localhost:5001'", run.Stderr);
    }

    [Fact]
    public async Task Erase_RowsAndKeyColumn_ReturnsUsageError()
    {
        var run = await CliRun.RunAsync("erase", "--version", "v-1", "--rows", "1,2", "--key-column", "id", "--key-values", "a",
            "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--rows", run.Stderr);
        Assert.Contains("--key-column", run.Stderr);
        Assert.DoesNotContain("UNAVAILABLE", run.Stderr);
    }

    [Theory]
    [InlineData("1,,2")]
    [InlineData(",1")]
    [InlineData("1,")]
    public async Task Erase_EmptyRowId_ReturnsUsageErrorNamingValue(string rows)
    {
        var run = await CliRun.RunAsync("erase", "--version", "v-1", "--rows", rows, "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains($"'{rows}'", run.Stderr);
        Assert.Contains("'--rows'", run.Stderr);
        Assert.DoesNotContain("UNAVAILABLE", run.Stderr);
    }

    [Theory]
    [InlineData("fc3,,fc2")]
    [InlineData("fc3,")]
    [InlineData(",")]
    public async Task Erase_EmptyLayer_ReturnsUsageErrorNamingValue(string layers)
    {
        var run = await CliRun.RunAsync("erase", "--version", "v-1", "--rows", "5", "--layers", layers, "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains($"Invalid value '{layers}' for option '--layers': a layer name is empty.", run.Stderr);
        Assert.DoesNotContain("UNAVAILABLE", run.Stderr);
    }

    [Fact]
    public async Task Help_Debias_DescribesOptionsOnStdout()
    {
        var run = await CliRun.RunAsync("debias", "--help");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("--remove-fraction", run.Stdout);
        Assert.Contains("--compare-retrain", run.Stdout);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task Help_ServerFromEnvironment_IsDefault()
    {
        var stdout = new StringWriter();
        var console = new CliConsole(stdout, new StringWriter(), ErrorIsTerminal: false,
            name => name == "UNLEARN_SERVER" ? "http://127.0.0.1:7777" : null);

        var exitCode = await CliApp.RunAsync(["datasets", "list", "--help"], console, CancellationToken.None);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("[default: http://127.0.0.1:7777]", stdout.ToString());
    }

    [Fact]
    public async Task Debias_MissingDataFile_SendsNothing()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var server = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        var missingPath = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.csv");

        var run = await CliRun.RunAsync("debias", "--data", missingPath, "--label", "income", "--positive", ">50K", "--sensitive", "sex", "--server", server);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains(missingPath, run.Stderr);
        Assert.Contains("--data", run.Stderr);
        Assert.False(listener.Pending(), "The CLI connected to the server although the input was invalid.");
    }

    [Fact]
    public async Task Debias_MissingJsonFolder_ReturnsUsageError()
    {
        var jsonPath = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}", "result.json");

        var run = await CliRun.RunAsync("debias", "--dataset", "adult", "--sensitive", "sex", "--json", jsonPath, "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("does not exist", run.Stderr);
    }

    [Theory]
    [InlineData("", "the path is empty")]
    [InlineData("folder", "it is a folder")]
    public async Task CounterfactualsGenerate_BadJsonPath_ReturnsUsageError(string path, string expected)
    {
        string jsonPath = path == "folder" ? Path.GetTempPath() : path;

        var run = await CliRun.RunAsync("counterfactuals", "generate", "--dataset", "adult", "--json", jsonPath, "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains(expected, run.Stderr);
        Assert.DoesNotContain("Unhandled exception", run.Stderr);
    }

    [Fact]
    public async Task DatasetsList_ServerUnreachable_ReturnsFailure()
    {
        var run = await CliRun.RunAsync("datasets", "list", "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.StartsWith("error: UNAVAILABLE: ", run.Stderr);
        Assert.Contains("--server", run.Stderr);
    }
}
