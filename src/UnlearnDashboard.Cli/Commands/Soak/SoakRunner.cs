using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Soak;

/// <summary>Parsed <c>unlearn soak</c> options.</summary>
internal sealed record SoakSettings(string Server, int Jobs, string Dataset, DebiasMethod Method, double MaxGrowthMib);

/// <summary>
/// Runs debias jobs one at a time, each to its end, and records the server's resident memory and live tensors
/// after each (from <c>GetServerStats</c>). The state after job 10 is the baseline, so that start-up allocations
/// (caches, the first database connections, JIT) do not count as growth.
/// </summary>
internal static class SoakRunner
{
    public const int BaselineJob = 10;

    private const double Mebibyte = 1024 * 1024;

    public static async Task<int> RunAsync(SoakSettings settings, CliConsole console, CancellationToken cancellationToken)
    {
        using var connection = ComputeConnection.Open(settings.Server, console);
        console.Error.WriteLine($"Soaking the server at {settings.Server} with {settings.Jobs} debias jobs on {settings.Dataset}.");

        var table = new TextTable("job", "state", "seconds", "server RSS MiB", "growth since job 10 MiB", "live tensors")
            .AlignRight(0, 2, 3, 4, 5);
        var start = await StatsAsync(connection, cancellationToken);
        ServerStats? baseline = null;
        ServerStats last = start;
        double maxGrowthMib = 0;
        int failed = 0;
        var seconds = new List<double>();
        for (int number = 1; number <= settings.Jobs; number++)
        {
            var watch = Stopwatch.StartNew();
            var job = await RunJobAsync(connection, settings, cancellationToken);
            seconds.Add(watch.Elapsed.TotalSeconds);
            last = await StatsAsync(connection, cancellationToken);
            if (number == BaselineJob)
                baseline = last;

            double? growthMib = baseline is null ? null : (last.ResidentBytes - baseline.ResidentBytes) / Mebibyte;
            maxGrowthMib = Math.Max(maxGrowthMib, growthMib ?? 0);
            if (job.State != JobState.Succeeded)
            {
                failed++;
                console.Error.WriteLine($"Job {number} ({job.Id}) ended as {job.State}: {job.Error}");
            }

            table.AddRow(
                number.ToString(CultureInfo.InvariantCulture),
                job.State.ToString(),
                watch.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture),
                (last.ResidentBytes / Mebibyte).ToString("F1", CultureInfo.InvariantCulture),
                growthMib is { } growth ? growth.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) : "",
                last.LiveTensors.ToString(CultureInfo.InvariantCulture));
        }

        var reference = baseline!;
        table.Write(console.Out);
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"server RSS before the first job: {start.ResidentBytes / Mebibyte:F1} MiB; after job {BaselineJob}: {reference.ResidentBytes / Mebibyte:F1} MiB; " +
            $"largest growth after job {BaselineJob}: {maxGrowthMib:F1} MiB (limit {settings.MaxGrowthMib:F1} MiB)"));
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"live tensors before the first job: {start.LiveTensors}; after job {BaselineJob}: {reference.LiveTensors}; after the last job: {last.LiveTensors}"));
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"job seconds: mean {seconds.Average():F2}, median {Median(seconds):F2}, max {seconds.Max():F2}; failed jobs: {failed}"));

        bool tensorsLeaked = last.LiveTensors > reference.LiveTensors;
        if (tensorsLeaked)
            console.Error.WriteLine($"Tensor leak: the server has {last.LiveTensors - reference.LiveTensors} more live tensors than after job {BaselineJob}.");
        if (failed > 0 || maxGrowthMib > settings.MaxGrowthMib || tensorsLeaked)
            return ExitCodes.Failure;
        return ExitCodes.Success;
    }

    private static async Task<ServerStats> StatsAsync(ComputeConnection connection, CancellationToken cancellationToken) =>
        await connection.Diagnostics.GetServerStatsAsync(new GetServerStatsRequest(), cancellationToken: cancellationToken);

    private static async Task<Job> RunJobAsync(ComputeConnection connection, SoakSettings settings, CancellationToken cancellationToken)
    {
        var request = new DebiasRequest { Dataset = settings.Dataset, Method = settings.Method };
        var job = await connection.Jobs.SubmitDebiasAsync(request, cancellationToken: cancellationToken);
        using (var call = connection.Jobs.WatchJob(new WatchJobRequest { JobId = job.Id }, cancellationToken: cancellationToken))
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
            }
        }

        return await connection.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id }, cancellationToken: cancellationToken);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        int middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
