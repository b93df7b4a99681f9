using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Compute.Services;

namespace UnlearnDashboard.Compute.Models;

/// <summary>
/// Bounds the model computations that RPCs run in the server's own process (comparisons, meeting packs, fairness
/// evaluations): at most <see cref="AnalysisOptions.MaxConcurrent"/> run at once and
/// <see cref="AnalysisOptions.MaxQueued"/> wait, so a burst of calls cannot take every core and the memory of the
/// server. A call beyond that fails at once with RESOURCE_EXHAUSTED.
/// </summary>
public sealed class AnalysisGate
{
    private readonly AnalysisOptions _options;
    private readonly SemaphoreSlim _running;
    private int _admitted;

    public AnalysisGate(IOptions<AnalysisOptions> options)
    {
        _options = options.Value;
        _running = new SemaphoreSlim(_options.MaxConcurrent, _options.MaxConcurrent);
    }

    /// <summary>Calls running or waiting now.</summary>
    public int Admitted => Volatile.Read(ref _admitted);

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool once a place is free. Throws RESOURCE_EXHAUSTED naming
    /// <paramref name="operation"/> when every place is taken and the queue is full.
    /// </summary>
    public async Task<T> RunAsync<T>(string operation, Func<T> work, CancellationToken cancellationToken)
    {
        int limit = _options.MaxConcurrent + _options.MaxQueued;
        if (Interlocked.Increment(ref _admitted) > limit)
        {
            Interlocked.Decrement(ref _admitted);
            throw RpcErrors.ResourceExhausted(
                $"{operation} was rejected: {_options.MaxConcurrent} computations run and {_options.MaxQueued} wait, the limits " +
                "Analysis:MaxConcurrent and Analysis:MaxQueued. Retry in a few seconds.");
        }

        try
        {
            await _running.WaitAsync(cancellationToken);
            try
            {
                return await Task.Run(work, cancellationToken);
            }
            finally
            {
                _running.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _admitted);
        }
    }
}
