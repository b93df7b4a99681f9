using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Access;
using UnlearnDashboard.Compute.Diagnostics;
using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Engine;

namespace UnlearnDashboard.Compute.Services;

/// <summary>
/// Turns failures of every service method into gRPC statuses: an <see cref="EngineException"/> becomes
/// INVALID_ARGUMENT, FAILED_PRECONDITION or DATA_LOSS with a field violation, and any other exception is
/// logged and reaches the client as a generic INTERNAL without its text. Messages longer than
/// <see cref="RpcErrors.MaxMessageLength"/> are cut. A request message over the receive limit never gets here:
/// <see cref="MessageSizeGuard"/> refuses it while the body is read.
/// </summary>
internal sealed class ErrorInterceptor(ILogger<ErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception error) when (Translate(error, context) is { } status)
        {
            throw status;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception error) when (Translate(error, context) is { } status)
        {
            throw status;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception error) when (Translate(error, context) is { } status)
        {
            throw status;
        }
    }

    /// <summary>Returns the status to send instead of <paramref name="error"/>, or null to let it pass unchanged.</summary>
    private RpcException? Translate(Exception error, ServerCallContext context)
    {
        switch (error)
        {
            case RateLimitExceededException:
                // AuthInterceptor logged the caller's first rejection; one line per rejected call would flood the log.
                return null;
            case SignInLockedException:
                // AccessStore logged the start of the lockout, and one line per rejected sign-in would flood the log too.
                return null;
            case RpcException rpcError:
                logger.CallRejected(context.Method, rpcError.StatusCode.ToString(), rpcError.Status.Detail);
                var printable = RpcErrors.ForClient(rpcError);
                return ReferenceEquals(printable, rpcError) ? null : printable;
            case EngineException engineError:
                var status = RpcErrors.ForClient(RpcErrors.FromEngine(engineError));
                logger.CallRejected(context.Method, status.StatusCode.ToString(), engineError.Message);
                return status;
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                // The client went away or its deadline passed; gRPC reports that itself.
                return null;
            default:
                logger.CallFailed(error, context.Method);
                return RpcErrors.Internal();
        }
    }
}
