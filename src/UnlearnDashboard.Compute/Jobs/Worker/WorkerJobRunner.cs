using System.Diagnostics;
using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Engine.Pipeline;
using Proto = UnlearnDashboard.Protos.V1;
using Wire = UnlearnDashboard.Protos.Worker.V1;

namespace UnlearnDashboard.Compute.Jobs.Worker;

/// <summary>
/// Runs each job in its own worker process (<c>UnlearnDashboard.Compute worker</c>), so that a native crash
/// in libtorch fails only that job, and the job's memory is returned when the process exits. The worker gets
/// the paths of the job's artifacts and writes the new weights to a file in the staging folder, which this
/// runner reads back and checks; the scheduler then commits them.
/// </summary>
public sealed class WorkerJobRunner(
    ArtifactStore artifacts,
    IOptions<ComputeOptions> options,
    IOptions<JobOptions> jobOptions,
    IOptions<FaultInjectionOptions> faults,
    ILogger<WorkerJobRunner> logger) : IJobRunner
{
    public async Task<JobRunOutput> RunAsync(JobRunInput input, IProgress<ProgressUpdate> progress, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Directory.CreateDirectory(options.Value.StagingPath);
        string weightsPath = Path.Combine(options.Value.StagingPath, $"{input.JobId}-{Guid.NewGuid():N}.weights");
        var job = BuildJob(input, weightsPath);
        var startTime = Stopwatch.GetTimestamp();
        await using var worker = WorkerProcess.Start(input.JobId, ThreadsPerWorker(jobOptions.Value.MaxConcurrent), logger);
        try
        {
            await using var registration = cancellationToken.Register(worker.RequestStop);
            await worker.SendAsync(new Wire.ServerMessage { Job = job }, CancellationToken.None);
            return await ReadUntilEndAsync(worker, input.JobId, weightsPath, progress, startTime, cancellationToken);
        }
        catch (IOException) when (cancellationToken.IsCancellationRequested)
        {
            // The worker was stopped while the job was being sent to it.
            throw new OperationCanceledException(cancellationToken);
        }
        finally
        {
            File.Delete(weightsPath);
        }
    }

    private async Task<JobRunOutput> ReadUntilEndAsync(
        WorkerProcess worker,
        string jobId,
        string weightsPath,
        IProgress<ProgressUpdate> progress,
        long startTime,
        CancellationToken cancellationToken)
    {
        string phase = "starting";
        while (await ReadOrEndAsync(worker) is { } message)
        {
            switch (message.MessageCase)
            {
                case Wire.WorkerMessage.MessageOneofCase.Started:
                    logger.WorkerStarted(jobId, message.Started.ProcessId, Stopwatch.GetElapsedTime(startTime).TotalMilliseconds);
                    break;
                case Wire.WorkerMessage.MessageOneofCase.Progress:
                    phase = message.Progress.Phase;
                    progress.Report(WorkerProtocol.ToUpdate(message.Progress));
                    break;
                case Wire.WorkerMessage.MessageOneofCase.Paused:
                    logger.FaultPaused(jobId, message.Paused.Phase);
                    break;
                case Wire.WorkerMessage.MessageOneofCase.Result:
                    return await ReadOutputAsync(message.Result, jobId, weightsPath);
                case Wire.WorkerMessage.MessageOneofCase.Error:
                    throw ToException(worker, jobId, message.Error, cancellationToken);
            }
        }

        int exitCode = await worker.WaitForExitAsync();
        cancellationToken.ThrowIfCancellationRequested();
        string reason = DescribeExit(exitCode, phase);
        logger.WorkerDied(jobId, worker.ProcessId, reason, worker.StderrTail);
        throw new WorkerFailedException(reason);
    }

    /// <summary>Reads the next message; a stream broken by the worker's death counts as its end.</summary>
    private static async Task<Wire.WorkerMessage?> ReadOrEndAsync(WorkerProcess worker)
    {
        try
        {
            return await worker.ReadAsync(CancellationToken.None);
        }
        catch (Exception error) when (error is IOException or InvalidDataException or InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private Exception ToException(WorkerProcess worker, string jobId, Wire.WorkerError error, CancellationToken cancellationToken)
    {
        if (error.Kind == Wire.ErrorKind.Cancelled)
            return new OperationCanceledException(cancellationToken);

        if (WorkerProtocol.ToEngineException(error) is { } engineError)
            return engineError;

        logger.WorkerFailed(jobId, worker.ProcessId, error.Message);
        return new WorkerFailedException("The job failed unexpectedly in its worker process; the error is in the server log.");
    }

    private static async Task<JobRunOutput> ReadOutputAsync(Wire.WorkerResult result, string jobId, string weightsPath)
    {
        byte[] weights = await File.ReadAllBytesAsync(weightsPath, CancellationToken.None);
        string sha256 = Convert.ToHexStringLower(SHA256.HashData(weights));
        if (sha256 != result.WeightsSha256)
        {
            throw new WorkerFailedException(
                $"The worker of job {jobId} reported weights with SHA-256 {result.WeightsSha256}, but its weights file hashes to {sha256}.");
        }

        return new JobRunOutput(weights, sha256, result.SpecJson, result.TestReport, result.RemovedRowIds.ToList(), result.Result);
    }

    private Wire.WorkerJob BuildJob(JobRunInput input, string weightsPath)
    {
        var dataset = input.Dataset;
        var job = new Wire.WorkerJob
        {
            JobId = input.JobId,
            Kind = input.Kind,
            Dataset = new Wire.WorkerDataset
            {
                Id = dataset.Id,
                Name = dataset.Name,
                DefinitionJson = dataset.DefinitionJson,
                Train = ArtifactFileOf(dataset.TrainSha256),
                Test = dataset.TestSha256 is null ? null : ArtifactFileOf(dataset.TestSha256),
            },
            WeightsOutputPath = weightsPath,
            SeedBandCacheDirectory = options.Value.SeedBandCachePath,
        };
        if (input.TrainRequest is not null)
            job.TrainRequest = input.TrainRequest;
        if (input.DebiasRequest is not null)
            job.DebiasRequest = input.DebiasRequest;
        if (input.ErasureRequest is not null)
            job.ErasureRequest = input.ErasureRequest;
        if (input.BaseVersion is { } version)
            job.BaseVersion = new Wire.WorkerBaseVersion { Id = version.Id, SpecJson = version.SpecJson, Weights = ArtifactFileOf(version.WeightsSha256) };
        if (input.CounterfactualSet is { } set)
            job.CounterfactualSet = new Wire.WorkerCounterfactualSet { Id = set.Id, Rows = ArtifactFileOf(set.ArtifactSha256), Spec = ByteString.CopyFrom(set.Spec) };

        var fault = faults.Value;
        if (fault.AppliesTo(dataset.Id, dataset.Name) && !string.IsNullOrEmpty(fault.Phase))
        {
            job.Fault = new Wire.WorkerFault
            {
                Phase = fault.Phase,
                Occurrence = fault.Occurrence,
                Action = fault.Action switch
                {
                    FaultKind.Abort => Wire.FaultAction.Abort,
                    FaultKind.NativeError => Wire.FaultAction.NativeError,
                    FaultKind.EmitProgress => Wire.FaultAction.EmitProgress,
                    _ => Wire.FaultAction.Pause,
                },
                EventCount = fault.EventCount ?? 0,
                EventsPerSecond = fault.EventsPerSecond,
            };
        }

        return job;
    }

    private Wire.ArtifactFile ArtifactFileOf(string sha256) => new() { Path = artifacts.PathOf(sha256), Sha256 = sha256 };

    /// <summary>
    /// Returns the libtorch threads each worker may use: the cores shared among the jobs that run at once.
    /// Without the cap each worker starts one OpenMP thread per core. On a loaded 2-core machine, German
    /// Credit's demo training next to Adult's took 64 s in a worker, against 3 s in the server's process.
    /// </summary>
    internal static int ThreadsPerWorker(int maxConcurrent) => Math.Max(1, Environment.ProcessorCount / Math.Max(1, maxConcurrent));

    /// <summary>
    /// Explains a worker's exit without a result. .NET reports a process that a signal killed as exit code
    /// 128 + the signal number, as shells do.
    /// </summary>
    internal static string DescribeExit(int exitCode, string phase)
    {
        if (exitCode > 128 && exitCode < 128 + 65)
        {
            int signal = exitCode - 128;
            return $"The worker process was killed by signal {signal} ({SignalName(signal)}) during {phase}; nothing the job did was kept.";
        }

        return $"The worker process exited with code {exitCode} during {phase} without a result; nothing the job did was kept.";
    }

    private static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => "signal " + signal,
    };
}
