using Grpc.Core;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Load;

/// <summary>
/// The debias job that the load's streams watch: one runs at a time, and the next is submitted when it ends, so
/// there is always a live job to stream.
/// </summary>
internal sealed class RunningJobs(ComputeConnection connection, string dataset)
{
    private readonly Lock _lock = new();
    private TaskCompletionSource<string> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _current;

    /// <summary>The id of the running job.</summary>
    public string Current => _current ?? throw new InvalidOperationException("No job has started.");

    /// <summary>How many jobs were submitted.</summary>
    public int Started { get; private set; }

    public async Task StartFirstAsync(CancellationToken cancellationToken) => await SubmitAsync(cancellationToken);

    /// <summary>Returns the running job when it is not <paramref name="watched"/>, else waits for the next one.</summary>
    public async Task<string> NextAsync(string? watched, CancellationToken cancellationToken)
    {
        Task<string> next;
        lock (_lock)
        {
            if (_current is { } current && current != watched)
                return current;
            next = _next.Task;
        }

        return await next.WaitAsync(cancellationToken);
    }

    /// <summary>Waits for each job to end and submits the next, until <paramref name="cancellationToken"/> fires.</summary>
    public async Task KeepRunningAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                using (var call = connection.Jobs.WatchJob(new WatchJobRequest { JobId = Current }, cancellationToken: cancellationToken))
                {
                    await foreach (var _ in call.ResponseStream.ReadAllAsync(cancellationToken))
                    {
                    }
                }

                await SubmitAsync(cancellationToken);
            }
        }
        catch (Exception error) when (LoadRunner.EndedByStop(error, cancellationToken))
        {
        }
    }

    /// <summary>Cancels the running job, so the load leaves the server idle; a job that already ended is left alone.</summary>
    public async Task CancelCurrentAsync()
    {
        try
        {
            await connection.Jobs.CancelJobAsync(new CancelJobRequest { JobId = Current });
        }
        catch (RpcException error) when (error.StatusCode == StatusCode.FailedPrecondition)
        {
        }
    }

    private async Task SubmitAsync(CancellationToken cancellationToken)
    {
        var job = await connection.Jobs.SubmitDebiasAsync(new DebiasRequest { Dataset = dataset }, cancellationToken: cancellationToken);
        lock (_lock)
        {
            _current = job.Id;
            Started++;
            var next = _next;
            _next = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            next.SetResult(job.Id);
        }
    }
}
