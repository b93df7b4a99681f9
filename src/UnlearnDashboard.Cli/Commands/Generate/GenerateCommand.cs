using System.CommandLine;
using System.Text;

namespace UnlearnDashboard.Cli.Commands.Generate;

/// <summary><c>unlearn datasets generate</c>: writes a larger Adult-like CSV by resampling Adult with noise. It needs no server.</summary>
internal static class GenerateCommand
{
    public const string DefaultSource = "src/UnlearnDashboard.Engine/Datasets/adult.csv";

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
            Description = "CSV file to write; an existing file is replaced.",
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
            Description = $"Adult CSV with a header row to resample (default: {DefaultSource}).",
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
    public static long Generate(string sourcePath, string outputPath, long rowCount, int seed, CancellationToken cancellationToken)
    {
        if (!File.Exists(sourcePath))
            throw new UsageException($"file not found: '{Path.GetFullPath(sourcePath)}' (given to --source).");

        string fullOutput = Path.GetFullPath(outputPath);
        string? folder = Path.GetDirectoryName(fullOutput);
        if (folder is null || !Directory.Exists(folder))
            throw new UsageException($"folder not found: '{folder}' (of --out {outputPath}).");

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
}
