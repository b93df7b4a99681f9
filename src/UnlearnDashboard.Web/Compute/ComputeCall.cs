using Grpc.Core;

namespace UnlearnDashboard.Web.Compute;

/// <summary>
/// Runs one call to the compute server with the configured deadline, turning its failures into the two
/// exceptions pages handle: <see cref="OperationCanceledException"/> and <see cref="ComputeUnavailableException"/>.
/// </summary>
internal static class ComputeCall
{
    /// <param name="call">The call, given its deadline.</param>
    /// <param name="what">The request named in the cancellation message, for example "The catalog request".</param>
    public static async Task<T> RunAsync<T>(
        Func<DateTime, Task<T>> call,
        ComputeClientOptions options,
        ILogger logger,
        string what,
        CancellationToken cancellationToken)
    {
        try
        {
            return await call(DateTime.UtcNow.AddSeconds(options.CallTimeoutSeconds));
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException($"{what} was cancelled.", exception, cancellationToken);
        }
        catch (RpcException exception)
        {
            WebLog.ComputeCallFailed(logger, options.ComputeUrl, exception.StatusCode, exception);
            throw new ComputeUnavailableException(ComputeErrors.Describe(exception, options.ComputeUrl), exception);
        }
    }
}
