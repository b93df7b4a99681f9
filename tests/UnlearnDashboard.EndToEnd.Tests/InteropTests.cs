using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using UnlearnDashboard.Cli;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary>
/// Model import and export, dataset preview and the Python example client (src/clients/python) against a real
/// Compute process. The Python client's stubs are generated with Debian's protoc and grpc_python_plugin and run
/// by Debian's /usr/bin/python3 with python3-grpcio; .ci/run installs them.
/// </summary>
[Collection(ComputeCollection.Name)]
public sealed partial class InteropTests(ComputeFixture compute)
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromMinutes(5);

    private static readonly string[] MetricLabels =
    [
        "accuracy",
        "demographic parity difference",
        "equalized odds difference",
        "equal opportunity difference",
        "disparate impact ratio",
    ];

    internal static string ClientFolder => Path.Combine(
        typeof(InteropTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!,
        "src", "clients", "python");

    [Fact]
    public async Task DebiasExample_PrintsSameNumbersAsCli()
    {
        string stubs = Path.Combine(compute.Server.DataDirectory, "python-stubs");
        var generated = await RunAsync("sh", Path.Combine(ClientFolder, "generate_stubs.sh"), stubs);
        Assert.True(generated.ExitCode == 0, $"generate_stubs.sh exited with {generated.ExitCode}:\n{generated.Output}\n{generated.Error}");

        string server = new Uri(compute.Server.Url).Authority;
        var python = await RunAsync("/usr/bin/python3", Path.Combine(ClientFolder, "debias_example.py"),
            "--stubs", stubs, "--server", server, "--api-key", compute.Server.ApiKey(), "--dataset", "adult", "--sensitive", "sex",
            "--method", "influence-newton", "--remove-fraction", "0.05");
        Assert.True(python.ExitCode == 0, $"debias_example.py exited with {python.ExitCode}:\n{python.Output}\n{python.Error}");

        string jobId = JobLine().Match(python.Output).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(jobId), $"no 'job: ID' line in:\n{python.Output}");
        using var cliOutput = new StringWriter();
        using var cliError = new StringWriter();
        int cliExit = await CliApp.RunAsync(["jobs", "get", jobId, "--server", compute.Server.Url, "--api-key", compute.Server.ApiKey()], cliOutput, cliError);
        Assert.True(cliExit == 0, $"unlearn jobs get exited with {cliExit}:\n{cliError}");

        Assert.Matches(@"\] ranking: ", python.Output);
        foreach (string label in MetricLabels)
        {
            var fromPython = BeforeAndAfter(python.Output, label);
            var fromCli = BeforeAndAfter(cliOutput.ToString(), label);
            Assert.True(fromCli.SequenceEqual(fromPython), $"{label}: Python printed {string.Join(" ", fromPython)}, the CLI {string.Join(" ", fromCli)}");
        }

        foreach (string prefix in new[] { "removed samples:", "base version:", "new version:" })
            Assert.Equal(LineStartingWith(cliOutput.ToString(), prefix), LineStartingWith(python.Output, prefix));
    }

    [Fact]
    public async Task DatasetsPreview_Parquet_ListsCandidates()
    {
        var (exitCode, output, error) = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(), "datasets", "preview", FixturePath("adult_2000.parquet"), "--server", compute.Server.Url);

        Assert.True(exitCode == 0, $"exit code {exitCode}\nstdout:\n{output}\nstderr:\n{error}");
        Assert.Contains("adult_2000.parquet: parquet, 2000 rows, 15 columns", output);
        Assert.Matches(@"(?m)^  sex: its name contains 'sex'", output);
        Assert.Matches(@"(?m)^  income: <=50K \(\d+\), >50K \(\d+\)$", output);
    }

    [Fact]
    public async Task ModelsImportExport_StateDict_RoundTrips()
    {
        string exportFolder = Directory.CreateDirectory(Path.Combine(compute.Server.DataDirectory, "export")).FullName;

        var imported = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(), "models", "import", FixturePath("adult_mlp.pt"), "--spec", FixturePath("adult_mlp.spec.json"),
            "--dataset", "adult", "--name", "torch-mlp", "--server", compute.Server.Url);
        Assert.True(imported.ExitCode == 0, $"import exit code {imported.ExitCode}\nstderr:\n{imported.Error}");
        string versionId = LineStartingWith(imported.Output, "version:")["version:".Length..].Trim();
        // An export needs the compliance role.
        var exported = await CliRun.RunWithKeyAsync(compute.Server.ApiKey("compliance"), "models", "export", versionId, "--output", exportFolder, "--server", compute.Server.Url);
        Assert.True(exported.ExitCode == 0, $"export exit code {exported.ExitCode}\nstderr:\n{exported.Error}");
        string weights = Directory.GetFiles(exportFolder, "*.safetensors").Single();
        string spec = Directory.GetFiles(exportFolder, "*.spec.json").Single();
        var reimported = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(), "models", "import", weights, "--spec", spec, "--dataset", "adult", "--server", compute.Server.Url);

        Assert.True(reimported.ExitCode == 0, $"reimport exit code {reimported.ExitCode}\nstderr:\n{reimported.Error}");
        Assert.Contains("format:   pytorch-state-dict", imported.Output);
        Assert.Contains("format:   safetensors", reimported.Output);
        Assert.Equal(LineStartingWith(imported.Output, "test split:"), LineStartingWith(reimported.Output, "test split:"));
        Assert.StartsWith("torch-mlp-", Path.GetFileName(weights));
    }

    [Fact]
    public async Task ModelsExport_MissingFolder_CreatesIt()
    {
        string exportFolder = Path.Combine(compute.Server.DataDirectory, "new-export", "exported");
        var imported = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(), "models", "import", FixturePath("adult_mlp.pt"), "--spec", FixturePath("adult_mlp.spec.json"),
            "--dataset", "adult", "--name", "torch-mlp-folder", "--server", compute.Server.Url);
        Assert.True(imported.ExitCode == 0, $"import exit code {imported.ExitCode}\nstderr:\n{imported.Error}");
        string versionId = LineStartingWith(imported.Output, "version:")["version:".Length..].Trim();

        var exported = await CliRun.RunWithKeyAsync(compute.Server.ApiKey("compliance"), "models", "export", versionId, "--output", exportFolder + "/",
            "--server", compute.Server.Url);

        Assert.True(exported.ExitCode == 0, $"export exit code {exported.ExitCode}\nstderr:\n{exported.Error}");
        Assert.Single(Directory.GetFiles(exportFolder, "*.safetensors"));
        Assert.Single(Directory.GetFiles(exportFolder, "*.spec.json"));
    }

    [Fact]
    public async Task ModelsImport_WholePickledModel_Fails()
    {
        var (exitCode, _, error) = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(), "models", "import", FixturePath("adult_mlp_whole.pt"),
            "--spec", FixturePath("adult_mlp.spec.json"), "--dataset", "adult", "--server", compute.Server.Url);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("whole pickled model", error);
    }

    [Fact]
    public async Task DebiasData_Parquet_TrainsAndDebiases()
    {
        string json = Path.Combine(compute.Server.DataDirectory, "parquet-result.json");

        var (exitCode, output, error) = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(), "debias", "--server", compute.Server.Url, "--data", FixturePath("adult_2000.parquet"),
            "--label", "income", "--positive", ">50K", "--sensitive", "sex", "--method", "influence-newton", "--json", json);

        Assert.True(exitCode == 0, $"exit code {exitCode}\nstdout:\n{output}\nstderr:\n{error}");
        var result = Google.Protobuf.JsonParser.Default.Parse<Protos.V1.DebiasResult>(await File.ReadAllTextAsync(json));
        Assert.True(result.RemovedSampleCount > 0, $"removed {result.RemovedSampleCount} samples");
        Assert.Equal(["Male", "Female"], result.After.Groups.Select(g => g.Group));
    }

    private static string FixturePath(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", file);


    /// <summary>Returns the first two numbers (or n/a) of the table row that starts with the label.</summary>
    private static string[] BeforeAndAfter(string output, string label)
    {
        string row = LineStartingWith(output, label + " ");
        return row[label.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(2).ToArray();
    }

    private static string LineStartingWith(string output, string prefix) =>
        output.Split('\n').Select(l => l.TrimEnd()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"no line starting with '{prefix}' in:\n{output}");

    internal static async Task<(int ExitCode, string Output, string Error)> RunAsync(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ProcessTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish within {ProcessTimeout.TotalMinutes} minutes:\n{await output}\n{await error}");
        }

        return (process.ExitCode, await output, await error);
    }

    [GeneratedRegex(@"^job: (\S+)$", RegexOptions.Multiline)]
    private static partial Regex JobLine();
}
