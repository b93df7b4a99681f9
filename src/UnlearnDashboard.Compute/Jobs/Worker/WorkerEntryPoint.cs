using System.Diagnostics;
using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Win32.SafeHandles;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Engine;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Evidence;
using UnlearnDashboard.Engine.Pipeline;
using Proto = UnlearnDashboard.Protos.V1;
using Wire = UnlearnDashboard.Protos.Worker.V1;

namespace UnlearnDashboard.Compute.Jobs.Worker;

/// <summary>
/// Main of <c>UnlearnDashboard.Compute worker</c>: reads one job from stdin, runs it and writes its progress
/// and result (or error) to stdout, then exits. It reads only the artifact files the job names and never
/// opens the database. When stdin closes before the job ends, the server is gone and the worker exits at once.
/// </summary>
internal static class WorkerEntryPoint
{
    public const string Command = "worker";

    /// <summary>Exit code when the server closed stdin before the job ended.</summary>
    public const int ServerGoneExitCode = 3;

    /// <summary>Exit code when stdin held no valid job.</summary>
    public const int NoJobExitCode = 2;

    private static int s_jobEnded;

    public static int Run()
    {
        using var output = new WorkerOutput(OpenProtocolOutput());
        using var input = Console.OpenStandardInput();
        var first = WorkerProtocol.ReadAsync(input, Wire.ServerMessage.Parser, CancellationToken.None).GetAwaiter().GetResult();
        if (first?.Job is not { } job)
        {
            Console.Error.WriteLine("The worker expected a job as its first message on stdin.");
            return NoJobExitCode;
        }

        using var cancel = new CancellationTokenSource();
        var listener = new Thread(() => Listen(input, cancel)) { IsBackground = true, Name = "server messages" };
        listener.Start();
        output.Send(new Wire.WorkerMessage { Started = new Wire.Started { ProcessId = Environment.ProcessId } });
        try
        {
            var result = RunJob(job, output, cancel.Token);
            output.Send(new Wire.WorkerMessage { Result = result });
            return 0;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            output.Send(new Wire.WorkerMessage { Error = new Wire.WorkerError { Kind = Wire.ErrorKind.Cancelled, Message = "Cancelled." } });
            return 0;
        }
        catch (EngineException error)
        {
            output.Send(new Wire.WorkerMessage { Error = WorkerProtocol.ToError(error) });
            return 0;
        }
        catch (Exception error)
        {
            output.Send(new Wire.WorkerMessage { Error = new Wire.WorkerError { Kind = Wire.ErrorKind.Internal, Message = error.ToString() } });
            return 1;
        }
        finally
        {
            Interlocked.Exchange(ref s_jobEnded, 1);
        }
    }

    private static Wire.WorkerResult RunJob(Wire.WorkerJob job, WorkerOutput output, CancellationToken cancellationToken)
    {
        var progress = new WorkerProgress(output, job.Fault, cancellationToken);
        progress.Report(new ProgressUpdate("loading", 0, $"Loading dataset {job.Dataset.Name}"));
        PreparedDataset data;
        using (var train = OpenVerified(job.Dataset.Train, "artifact"))
        using (var test = job.Dataset.Test is null ? null : OpenVerified(job.Dataset.Test, "artifact"))
            data = JobEngine.LoadDataset(job.Dataset.Name, job.Dataset.DefinitionJson, train, test);
        cancellationToken.ThrowIfCancellationRequested();

        JobRunOutput outcome;
        if (job.Kind == Proto.JobKind.Train)
        {
            outcome = JobEngine.Train(data, job.TrainRequest, progress, cancellationToken);
        }
        else if (job.Kind == Proto.JobKind.Erase)
        {
            var version = job.BaseVersion;
            var baseVersion = new DebiasBase(version.Id, version.SpecJson, ReadVerified(version.Weights, "weights"), version.Weights.Sha256);
            outcome = JobEngine.Erase(data, job.ErasureRequest, baseVersion, progress, cancellationToken);
        }
        else
        {
            var version = job.BaseVersion;
            var baseVersion = new DebiasBase(version.Id, version.SpecJson, ReadVerified(version.Weights, "weights"), version.Weights.Sha256);
            DebiasCounterfactuals? counterfactuals = null;
            if (job.CounterfactualSet is { } set)
            {
                using var rows = new MemoryStream(ReadVerified(set.Rows, "artifact"), writable: false);
                var read = Engine.Counterfactuals.CounterfactualSet.ReadCsv(rows, data.Definition.SensitiveColumn, $"counterfactual set {set.Id}");
                counterfactuals = new DebiasCounterfactuals(set.Id, read, set.Spec.ToByteArray());
            }

            var seedBandCache = new SeedBandCache(job.SeedBandCacheDirectory.Length > 0 ? job.SeedBandCacheDirectory : null);
            outcome = JobEngine.Debias(data, job.DebiasRequest, baseVersion, counterfactuals, seedBandCache, progress, cancellationToken);
        }

        File.WriteAllBytes(job.WeightsOutputPath, outcome.Weights);
        outcome.Result.WorkerPeakResidentBytes = PeakResidentBytes();
        var result = new Wire.WorkerResult
        {
            WeightsSha256 = outcome.WeightsSha256,
            SpecJson = outcome.SpecJson,
            TestReport = outcome.TestReport,
            Result = outcome.Result,
        };
        result.RemovedRowIds.AddRange(outcome.RemovedRowIds);
        return result;
    }

    /// <summary>
    /// Returns this process's peak resident set size in bytes, from the VmHWM line of /proc/self/status
    /// (given in kB), or 0 where that file does not exist.
    /// </summary>
    internal static long PeakResidentBytes()
    {
        const string statusPath = "/proc/self/status";
        if (!File.Exists(statusPath))
            return 0;

        foreach (string line in File.ReadLines(statusPath))
        {
            if (!line.StartsWith("VmHWM:", StringComparison.Ordinal))
                continue;

            string kilobytes = line["VmHWM:".Length..].Trim().Split(' ')[0];
            return long.Parse(kilobytes, System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }

        return 0;
    }

    /// <summary>
    /// Opens an artifact for reading after checking its SHA-256 in one streaming pass, so a large dataset file is
    /// never held in memory whole. Throws the same DATA_LOSS errors as <see cref="ReadVerified"/>.
    /// </summary>
    private static FileStream OpenVerified(Wire.ArtifactFile file, string field)
    {
        if (!File.Exists(file.Path))
            throw ArtifactStore.Missing(field, file.Sha256);

        var stream = File.OpenRead(file.Path);
        string actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (actual != file.Sha256)
        {
            long length = stream.Length;
            stream.Dispose();
            throw ArtifactStore.Damaged(field, file.Sha256, actual, length);
        }

        stream.Position = 0;
        return stream;
    }

    /// <summary>
    /// Reads an artifact and checks its SHA-256, with the same DATA_LOSS errors, naming
    /// <paramref name="field"/>, as the server's artifact store.
    /// </summary>
    private static byte[] ReadVerified(Wire.ArtifactFile file, string field)
    {
        if (!File.Exists(file.Path))
            throw ArtifactStore.Missing(field, file.Sha256);

        byte[] bytes = File.ReadAllBytes(file.Path);
        string actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (actual != file.Sha256)
            throw ArtifactStore.Damaged(field, file.Sha256, actual, bytes.LongLength);

        return bytes;
    }

    /// <summary>
    /// Handles the server's messages after the job: Cancel cancels it, and the end of stdin (the server
    /// exited or was killed) ends the worker at once, so no orphaned worker keeps computing.
    /// </summary>
    private static void Listen(Stream input, CancellationTokenSource cancel)
    {
        try
        {
            while (WorkerProtocol.ReadAsync(input, Wire.ServerMessage.Parser, CancellationToken.None).GetAwaiter().GetResult() is { } message)
            {
                if (message.MessageCase == Wire.ServerMessage.MessageOneofCase.Cancel)
                    cancel.Cancel();
            }
        }
        catch (Exception error) when (error is IOException or InvalidDataException or InvalidProtocolBufferException)
        {
            Console.Error.WriteLine($"Reading the server's messages failed: {error.Message}");
        }

        if (Volatile.Read(ref s_jobEnded) == 0)
            Environment.Exit(ServerGoneExitCode);
    }

    /// <summary>
    /// Returns a stream on the process's original stdout for the protocol and points file descriptor 1 at
    /// stderr, so that text anything else prints (libtorch warnings included) cannot corrupt the protocol.
    /// </summary>
    private static Stream OpenProtocolOutput()
    {
        if (!OperatingSystem.IsLinux())
            return Console.OpenStandardOutput();

        int protocolFd = NativeMethods.Dup(1);
        if (protocolFd < 0 || NativeMethods.Dup2(2, 1) < 0)
            throw new IOException("The worker could not move its protocol output off stdout.");
        return new FileStream(new SafeFileHandle(protocolFd, ownsHandle: true), FileAccess.Write, bufferSize: 0);
    }
}

/// <summary>Writes worker messages to the protocol stream, one whole message at a time.</summary>
internal sealed class WorkerOutput(Stream stream) : IDisposable
{
    private readonly Lock _lock = new();

    public void Send(Wire.WorkerMessage message)
    {
        lock (_lock)
        {
            message.WriteDelimitedTo(stream);
            stream.Flush();
        }
    }

    public void Dispose() => stream.Dispose();
}

/// <summary>Sends the engine's progress reports to the server and triggers the job's test fault, if any.</summary>
internal sealed class WorkerProgress(WorkerOutput output, Wire.WorkerFault? fault, CancellationToken cancellationToken) : IProgress<ProgressUpdate>
{
    private int _phaseReports;

    public void Report(ProgressUpdate value)
    {
        output.Send(new Wire.WorkerMessage { Progress = WorkerProtocol.ToProto(value) });
        if (fault is null || value.Phase != fault.Phase || ++_phaseReports != fault.Occurrence)
            return;

        switch (fault.Action)
        {
            case Wire.FaultAction.Pause:
                output.Send(new Wire.WorkerMessage { Paused = new Wire.Paused { Phase = value.Phase } });
                cancellationToken.WaitHandle.WaitOne();
                cancellationToken.ThrowIfCancellationRequested();
                break;
            case Wire.FaultAction.Abort:
                NativeMethods.Abort();
                break;
            case Wire.FaultAction.NativeError:
                NativeFaults.FailLibtorchCheck();
                break;
            case Wire.FaultAction.EmitProgress:
                EmitAtSteadyRate(value, fault.EventCount, fault.EventsPerSecond);
                break;
        }
    }

    /// <summary>
    /// Reports <paramref name="count"/> progress events of <paramref name="reported"/>'s phase, the i-th at i / rate
    /// seconds from now, so a late event does not shift the ones after it.
    /// </summary>
    private void EmitAtSteadyRate(ProgressUpdate reported, int count, double eventsPerSecond)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 1; i <= count; i++)
        {
            var due = TimeSpan.FromSeconds(i / eventsPerSecond) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero && cancellationToken.WaitHandle.WaitOne(due))
                break;
            cancellationToken.ThrowIfCancellationRequested();

            var update = new ProgressUpdate(reported.Phase, reported.Fraction, $"Test event {i} of {count}");
            output.Send(new Wire.WorkerMessage { Progress = WorkerProtocol.ToProto(update) });
        }

        cancellationToken.ThrowIfCancellationRequested();
    }
}
