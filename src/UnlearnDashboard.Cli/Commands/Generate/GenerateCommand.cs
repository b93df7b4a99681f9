using System.CommandLine;
using System.Text;

namespace UnlearnDashboard.Cli.Commands.Generate;

/// <summary><c>unlearn datasets generate</c>: writes a larger Adult-like CSV by resampling Adult with noise. It needs no server.</summary>
internal static class GenerateCommand
{
    /// <summary>
    /// The Adult training file that ships with the CLI, in the Datasets folder next to the program, copied there
    /// at build time from src/UnlearnDashboard.Engine/Datasets. It does not depend on the working directory.
    /// </summary>
    public static string DefaultSource { get; } = Path.Combine(AppContext.BaseDirectory, "Datasets", "adult.csv");

    public static Command Create(CliConsole console)
    {
        var rows = new Option<long>("--rows")
        {
            Description = "Data rows to write, in [1, 100000000].",
            HelpName = "N",
            Required = true,
            CustomParser = NumberParsers.Int64("--rows", "in [1, 100000000]", value => value is >= 1 and <= 100_000_000),
        };
        var output = new Option<string>("--out")
        {
            Description = "CSV file to write; an existing file is replaced. It must not be the --source file.",
            HelpName = "FILE",
            Required = true,
        };
        var seed = new Option<long>("--seed")
        {
            Description = "Seed of the resampling; the same seed, source and row count give the same file (default: 7).",
            HelpName = "N",
            DefaultValueFactory = _ => 7,
            CustomParser = NumberParsers.Int64("--seed", "in [0, 2147483647]", value => value is >= 0 and <= int.MaxValue),
        };
        var source = new Option<string>("--source")
        {
            Description = "Adult CSV with a header row to resample (default: the adult.csv shipped in the Datasets folder next to the CLI).",
            HelpName = "FILE",
            DefaultValueFactory = _ => DefaultSource,
        };

        var command = new Command("generate",
            "Write an Adult-like CSV of N rows by resampling Adult's rows with noise: numeric columns jittered within Adult's ranges, " +
            "workclass, occupation and native country sometimes taken from another row, label and sensitive columns kept.")
        {
            rows, output, seed, source,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, token =>
        {
            long written = Generate(
                parseResult.GetRequiredValue(source),
                parseResult.GetRequiredValue(output),
                parseResult.GetValue(rows),
                (int)parseResult.GetValue(seed),
                token);
            console.Error.WriteLine($"Wrote {Output.Formats.Count(parseResult.GetValue(rows))} rows ({Output.Formats.Count(written)} bytes) to {parseResult.GetRequiredValue(output)}.");
            return Task.FromResult(ExitCodes.Success);
        }, cancellationToken));
        return command;
    }

    /// <summary>
    /// Writes <paramref name="rowCount"/> resampled rows to <paramref name="outputPath"/> through a temporary file
    /// in the same folder, which replaces the output only when complete. Returns the file's size in bytes.
    /// </summary>
    /// <exception cref="UsageException">
    /// The source file is missing or not an Adult CSV, or the output path is empty, a folder, in a missing folder, or
    /// the source file itself.
    /// </exception>
    public static long Generate(string sourcePath, string outputPath, long rowCount, int seed, CancellationToken cancellationToken)
    {
        if (sourcePath.Trim().Length == 0)
            throw new UsageException("--source is empty. Pass an Adult CSV file, or leave --source out to use the shipped adult.csv.");
        if (!File.Exists(sourcePath))
            throw new UsageException($"file not found: '{Path.GetFullPath(sourcePath)}' (given to --source).");

        string fullOutput = ValidateOutputPath(outputPath, sourcePath);

        AdultResampler resampler;
        using (var reader = new StreamReader(sourcePath, Encoding.UTF8))
            resampler = AdultResampler.Read(reader, sourcePath);

        string partial = fullOutput + ".partial";
        try
        {
            using (var writer = new StreamWriter(partial, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 16))
                resampler.Write(writer, rowCount, seed, cancellationToken);

            File.Move(partial, fullOutput, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }

        return new FileInfo(fullOutput).Length;
    }

    /// <summary>
    /// Returns the full path of <paramref name="outputPath"/>, or throws <see cref="UsageException"/> naming the path
    /// when it is empty, a folder, in a folder that does not exist, or the file at <paramref name="sourcePath"/>,
    /// which writing would destroy.
    /// </summary>
    private static string ValidateOutputPath(string outputPath, string sourcePath)
    {
        if (outputPath.Trim().Length == 0)
            throw new UsageException("--out is empty. Pass the CSV file to write, for example --out adult-1m.csv.");

        string fullOutput;
        try
        {
            fullOutput = Path.GetFullPath(outputPath);
        }
        catch (Exception error) when (error is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new UsageException($"--out '{outputPath}' is not a valid file path: {error.Message}");
        }

        if (Directory.Exists(fullOutput))
            throw new UsageException($"--out '{outputPath}' is a folder. Pass a file path, for example '{Path.Combine(outputPath, "adult-generated.csv")}'.");

        string? folder = Path.GetDirectoryName(fullOutput);
        if (folder is null || !Directory.Exists(folder))
            throw new UsageException($"folder not found: '{folder}' (of --out {outputPath}).");

        if (string.Equals(ResolveLinks(fullOutput), ResolveLinks(Path.GetFullPath(sourcePath)), StringComparison.Ordinal))
        {
            throw new UsageException($"--out '{outputPath}' is the --source file '{sourcePath}', which writing would replace. "
                + "Write the generated rows to another file.");
        }

        return fullOutput;
    }

    /// <summary>Returns the final target of a path that is a symbolic link, or the path itself.</summary>
    private static string ResolveLinks(string fullPath) =>
        File.Exists(fullPath) && new FileInfo(fullPath).ResolveLinkTarget(returnFinalTarget: true) is { } target
            ? target.FullName
            : fullPath;
}
