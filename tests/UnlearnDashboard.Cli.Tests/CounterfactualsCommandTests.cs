using UnlearnDashboard.Cli.Commands.Counterfactuals;

namespace UnlearnDashboard.Cli.Tests;

/// <summary>
/// Input checks of <c>unlearn counterfactuals</c> that fail before any call: each test points the CLI at a closed server, so an
/// error that came from connecting would show UNAVAILABLE instead.
/// </summary>
public sealed class CounterfactualsCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("unlearn-counterfactuals-").FullName;

    [Theory]
    [InlineData("relationship", "expected COLUMN:FROM=TO,FROM=TO")]
    [InlineData(":Husband=Wife", "expected COLUMN:FROM=TO,FROM=TO")]
    [InlineData("relationship:", "no FROM=TO pair after 'relationship:'")]
    [InlineData("relationship:Husband", "'Husband' is not a FROM=TO pair")]
    [InlineData("relationship:Husband=Wife=Own-child", "'Husband=Wife=Own-child' is not a FROM=TO pair")]
    [InlineData("relationship:=Wife", "'=Wife' is not a FROM=TO pair")]
    [InlineData("relationship:Husband=Wife,,Wife=Husband", "contains an empty pair")]
    [InlineData("relationship:Husband=Wife,Husband=Own-child", "'Husband' is mapped twice in column 'relationship'")]
    public async Task Generate_BadMap_NamesOptionAndValue(string map, string reason)
    {
        var run = await CliRun.RunAsync("counterfactuals", "generate", "--dataset", "adult", "--map", map, "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        var errors = ErrorLines(run);
        Assert.Single(errors);
        Assert.Contains($"Invalid value '{map}' for option '--map'", errors[0]);
        Assert.Contains(reason, errors[0]);
        Assert.DoesNotContain("UNAVAILABLE", run.Stderr);
    }

    [Fact]
    public async Task Generate_SameColumnTwice_NamesSecondMap()
    {
        var run = await CliRun.RunAsync("counterfactuals", "generate", "--dataset", "adult",
            "--map", "relationship:Husband=Wife", "--map", "relationship:Wife=Husband", "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        var errors = ErrorLines(run);
        Assert.Single(errors);
        Assert.Contains("'relationship:Wife=Husband'", errors[0]);
        Assert.Contains("column 'relationship' is mapped by an earlier --map", errors[0]);
    }

    [Fact]
    public void ValueMapParser_SpacesAroundParts_AreTrimmed()
    {
        string? error = ValueMapParser.TryParse(" relationship : Husband = Wife , Wife=Husband ", out var map);

        Assert.Null(error);
        Assert.NotNull(map);
        Assert.Equal("relationship", map.Column);
        Assert.Equal(2, map.Values.Count);
        Assert.Equal("Wife", map.Values["Husband"]);
        Assert.Equal("Husband", map.Values["Wife"]);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1000001")]
    [InlineData("ten")]
    public async Task Generate_MaxRowsOutOfRange_NamesOptionAndValue(string maxRows)
    {
        var run = await CliRun.RunAsync("counterfactuals", "generate", "--dataset", "adult", "--max-rows", maxRows, "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains($"Invalid value '{maxRows}' for option '--max-rows'", run.Stderr);
    }

    [Fact]
    public async Task Generate_MissingSourceFile_IsOneLineUsageError()
    {
        string path = Path.Combine(_folder, "missing.csv");

        var run = await CliRun.RunAsync("counterfactuals", "generate", "--dataset", "adult", "--source-file", path, "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Single(run.Stderr.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"file not found: '{path}' (given to --source-file)", run.Stderr);
    }

    [Fact]
    public async Task Generate_EmptySourceFile_IsUsageError()
    {
        // The request treats empty rows as "use the training rows", so sending them would map other rows than the user chose.
        string path = Path.Combine(_folder, "empty.csv");
        await File.WriteAllBytesAsync(path, []);

        var run = await CliRun.RunAsync("counterfactuals", "generate", "--dataset", "adult", "--source-file", path, "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains($"--source-file '{path}' is empty", run.Stderr);
        Assert.DoesNotContain("UNAVAILABLE", run.Stderr);
    }

    [Fact]
    public async Task Generate_SourceFileOver4MiB_IsUsageError()
    {
        string path = Path.Combine(_folder, "large.csv");
        await File.WriteAllBytesAsync(path, new byte[4 * 1024 * 1024 + 1]);

        var run = await CliRun.RunAsync("counterfactuals", "generate", "--dataset", "adult", "--source-file", path, "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains($"--source-file '{path}' is 4194305 bytes", run.Stderr);
        Assert.DoesNotContain("UNAVAILABLE", run.Stderr);
    }

    [Fact]
    public async Task Reject_WithoutComment_NamesOption()
    {
        var run = await CliRun.RunAsync("counterfactuals", "reject", "set-1", "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        var errors = ErrorLines(run);
        Assert.Single(errors);
        Assert.Contains("'--comment' is required", errors[0]);
        Assert.Contains("unlearn counterfactuals reject --help", run.Stderr);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task Reject_BlankComment_NamesOptionAndValue(string comment)
    {
        var run = await CliRun.RunAsync("counterfactuals", "reject", "set-1", "--comment", comment, "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        var errors = ErrorLines(run);
        Assert.Single(errors);
        Assert.Contains($"Invalid value '{comment}' for option '--comment'", errors[0]);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public async Task Show_RowsOutOfRange_NamesOptionAndValue(string rows)
    {
        var run = await CliRun.RunAsync("counterfactuals", "show", "set-1", "--rows", rows, "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains($"Invalid value '{rows}' for option '--rows'", run.Stderr);
    }

    [Fact]
    public async Task List_UnknownStatus_IsUsageError()
    {
        var run = await CliRun.RunAsync("counterfactuals", "list", "--status", "open", "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("'open'", run.Stderr);
        Assert.Contains("'pending'", run.Stderr);
    }

    [Fact]
    public async Task List_ClosedServer_SaysServerUnavailable()
    {
        var run = await CliRun.RunAsync("counterfactuals", "list", "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("UNAVAILABLE", run.Stderr);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string[] ErrorLines(CliRun run) =>
        run.Stderr.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).Where(line => line.StartsWith("error: ", StringComparison.Ordinal)).ToArray();
}
