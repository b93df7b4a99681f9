using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Load;

/// <summary>Parsed <c>unlearn load</c> options.</summary>
internal sealed record LoadSettings(string Server, int Streams, double Rate, TimeSpan Duration, string Dataset);

/// <summary>
/// Keeps one debias job running at a time for the whole run, submitting the next when one ends. Opens the
/// requested number of WatchJob streams on the running job and re-opens each on the next job. Calls GetJob and
/// ListVersions in turn at a fixed rate. Records the latency of every call, the time from opening a stream to its
/// first event, and how late each live event arrives after the server recorded it.
/// </summary>
internal static class LoadRunner
{
    /// <summary>Open streams are sampled only after this long, so that the first connections do not count as drops.</summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(LoadSettings settings, CliConsole console, CancellationToken cancellationToken)
    {
        using var connection = ComputeConnection.Open(settings.Server, console);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var jobs = new RunningJobs(connection, settings.Dataset);
        var streamOpen = new LatencyLog("WatchJob, open to first event");
        var delivery = new LatencyLog("WatchJob, live event delivery");
        var getJob = new LatencyLog("GetJob");
        var listVersions = new LatencyLog("ListVersions");
        var openStreams = new OpenStreamCount();

        console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Holding {settings.Streams} WatchJob streams and {settings.Rate:G} reads a second for {settings.Duration.TotalSeconds:G} s against {settings.Server}."));
        await jobs.StartFirstAsync(stop.Token);
        var clock = Stopwatch.StartNew();
        stop.CancelAfter(settings.Duration);

        var tasks = new List<Task> { jobs.KeepRunningAsync(stop.Token) };
        for (int i = 0; i < settings.Streams; i++)
            tasks.Add(WatchAsync(connection, jobs, streamOpen, delivery, openStreams, stop.Token));
        tasks.Add(ReadAsync(connection, jobs, settings.Rate, getJob, listVersions, openStreams, clock, stop.Token));
        await Task.WhenAll(tasks);
        await jobs.CancelCurrentAsync();

        var table = new TextTable("operation", "calls", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms").AlignRight(1, 2, 3, 4, 5, 6);
        foreach (var log in new[] { streamOpen, delivery, getJob, listVersions })
            log.AddRow(table);
        table.Write(console.Out);
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"open streams, sampled at each read after the first {WarmUp.TotalSeconds:G} s: median {openStreams.Percentile(0.5)}, " +
            $"5th percentile {openStreams.Percentile(0.05)} of {settings.Streams} (all re-open when a job ends); " +
            $"debias jobs watched: {jobs.Started}; seconds: {clock.Elapsed.TotalSeconds:F1}"));

        var errors = new[] { streamOpen, delivery, getJob, listVersions }.SelectMany(log => log.Errors).ToList();
        foreach (string error in errors.Take(5))
            console.Error.WriteLine(error);
        return errors.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    /// <summary>Watches the running job to its end, then the next one, until the run stops.</summary>
    private static async Task WatchAsync(
        ComputeConnection connection, RunningJobs jobs, LatencyLog open, LatencyLog delivery, OpenStreamCount openStreams,
        CancellationToken stop)
    {
        string? watched = null;
        while (!stop.IsCancellationRequested)
        {
            string jobId;
            try
            {
                jobId = await jobs.NextAsync(watched, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var watch = Stopwatch.StartNew();
            var openedAt = DateTime.UtcNow;
            bool first = true;
            openStreams.Opened();
            try
            {
                using var call = connection.Jobs.WatchJob(new WatchJobRequest { JobId = jobId }, cancellationToken: stop);
                await foreach (var jobEvent in call.ResponseStream.ReadAllAsync(stop))
                {
                    if (first)
                    {
                        open.Add(watch.Elapsed.TotalMilliseconds);
                        first = false;
                    }

                    var recorded = jobEvent.Time.ToDateTime();
                    if (recorded >= openedAt)
                        delivery.Add((DateTime.UtcNow - recorded).TotalMilliseconds);
                }
            }
            catch (Exception error) when (EndedByStop(error, stop))
            {
                return;
            }
            catch (RpcException error)
            {
                open.Fail($"WatchJob {jobId}: {error.Status.StatusCode}: {error.Status.Detail}");
            }
            finally
            {
                openStreams.Closed();
            }

            watched = jobId;
        }
    }

    /// <summary>Calls GetJob on the running job and ListVersions in turn, <paramref name="rate"/> calls a second.</summary>
    private static async Task ReadAsync(
        ComputeConnection connection, RunningJobs jobs, double rate, LatencyLog getJob, LatencyLog listVersions,
        OpenStreamCount openStreams, Stopwatch clock, CancellationToken stop)
    {
        var calls = new List<Task>();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / rate));
        long tick = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                if (clock.Elapsed >= WarmUp)
                    openStreams.Sample();

                // Calls start on the tick and are not awaited here, so a slow response does not lower the rate.
                calls.Add(tick++ % 2 == 0
                    ? TimeAsync(getJob, () => connection.Jobs.GetJobAsync(new GetJobRequest { JobId = jobs.Current }).ResponseAsync)
                    : TimeAsync(listVersions, () => connection.Models.ListVersionsAsync(new ListVersionsRequest()).ResponseAsync));
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(calls);
    }

    /// <summary>
    /// Returns whether <paramref name="error"/> ended a stream because the load was stopping. Stopping resets every
    /// open stream at once, and then a stream can also end as UNAVAILABLE ("The request was aborted").
    /// </summary>
    /// <remarks>
    /// NOTE: the likely cause is that the server closes an HTTP/2 connection whose client resets many streams at once
    /// (Kestrel's defence against rapid resets). It was not confirmed. Errors before the stop still count.
    /// </remarks>
    internal static bool EndedByStop(Exception error, CancellationToken stop) =>
        stop.IsCancellationRequested
        && error is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled or StatusCode.Unavailable };

    private static async Task TimeAsync(LatencyLog log, Func<Task> call)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            await call();
            log.Add(watch.Elapsed.TotalMilliseconds);
        }
        catch (RpcException error)
        {
            log.Fail($"{log.Operation}: {error.Status.StatusCode}: {error.Status.Detail}");
        }
    }
}
