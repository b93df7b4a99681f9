using Grpc.Core;

namespace UnlearnDashboard.Web.Compute;

/// <summary>A call to the compute server failed; <see cref="Exception.Message"/> is written for the user.</summary>
public sealed class ComputeUnavailableException(string message, Exception innerException) : Exception(message, innerException)
{
    /// <summary>The gRPC status of the failed call, or <see cref="StatusCode.Unknown"/> when it failed otherwise.</summary>
    public StatusCode StatusCode => InnerException is RpcException rpc ? rpc.StatusCode : StatusCode.Unknown;
}
