using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using UnlearnDashboard.Engine;
using Status = Google.Rpc.Status;

namespace UnlearnDashboard.Compute.Services;

/// <summary>
/// Builds <see cref="RpcException"/>s with a precise status code and, for field errors, a
/// <c>google.rpc.BadRequest</c> detail naming the proto field.
/// </summary>
internal static class RpcErrors
{
    /// <summary>
    /// Maximum length of a status message. A longer one, such as a message that quotes a 4,000-character id, is cut,
    /// because the message travels in the trailers, whose size the client limits.
    /// </summary>
    public const int MaxMessageLength = 1000;

    public static RpcException InvalidArgument(string field, string message) =>
        WithFieldViolation(Code.InvalidArgument, field, message);

    public static RpcException FailedPrecondition(string field, string message) =>
        WithFieldViolation(Code.FailedPrecondition, field, message);

    public static RpcException NotFound(string message) => Plain(Code.NotFound, message);

    public static RpcException PermissionDenied(string field, string message) =>
        WithFieldViolation(Code.PermissionDenied, field, message);

    public static RpcException AlreadyExists(string message) => Plain(Code.AlreadyExists, message);

    public static RpcException ResourceExhausted(string message) => Plain(Code.ResourceExhausted, message);

    /// <summary>Returns RESOURCE_EXHAUSTED with a <c>google.rpc.RetryInfo</c> detail that carries <paramref name="retryDelay"/>.</summary>
    public static RpcException ResourceExhausted(string message, TimeSpan retryDelay)
    {
        var status = new Status { Code = (int)Code.ResourceExhausted, Message = message };
        status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryDelay) }));
        return status.ToRpcException();
    }

    public static RpcException PermissionDenied(string message) => Plain(Code.PermissionDenied, message);

    /// <summary>Maps an engine failure to its status code, with the field it names as a field violation.</summary>
    public static RpcException FromEngine(EngineException error)
    {
        var code = error.Kind switch
        {
            EngineErrorKind.InvalidArgument => Code.InvalidArgument,
            EngineErrorKind.FailedPrecondition => Code.FailedPrecondition,
            EngineErrorKind.DataLoss => Code.DataLoss,
            _ => Code.Internal,
        };
        return WithFieldViolation(code, error.Field, error.Message);
    }

    /// <summary>Returns the status an unexpected failure reaches the client with: no exception text.</summary>
    public static RpcException Internal() =>
        Plain(Code.Internal, "The server failed unexpectedly; the error is in its log.");

    /// <summary>
    /// Returns <paramref name="error"/>, or a copy fit to show: its message, fields and field descriptions cut to
    /// <see cref="MaxMessageLength"/>, and any control or bidirectional-override character, which a message may quote
    /// from a request, written as a <c>\uXXXX</c> escape so that it cannot hide or reorder text on the reader's screen.
    /// </summary>
    public static RpcException ForClient(RpcException error)
    {
        if (error.GetRpcStatus() is not { } status)
        {
            return NeedsChange(error.Status.Detail)
                ? new RpcException(new Grpc.Core.Status(error.StatusCode, Printable(error.Status.Detail)))
                : error;
        }

        var badRequest = status.GetDetail<BadRequest>();
        bool changes = NeedsChange(status.Message)
            || badRequest?.FieldViolations.Any(v => NeedsChange(v.Description) || NeedsChange(v.Field)) == true;
        if (!changes)
            return error;

        var printable = new Status { Code = status.Code, Message = Printable(status.Message) };
        if (badRequest is not null)
        {
            foreach (var violation in badRequest.FieldViolations)
            {
                violation.Field = Printable(violation.Field);
                violation.Description = Printable(violation.Description);
            }

            printable.Details.Add(Any.Pack(badRequest));
        }

        return printable.ToRpcException();
    }

    private static bool NeedsChange(string text) => text.Length > MaxMessageLength || text.Any(IsHidden);

    private static bool IsHidden(char c) => char.IsControl(c) || c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    private static string Printable(string text)
    {
        if (text.Any(IsHidden))
            text = string.Concat(text.Select(c => IsHidden(c) ? $"\\u{(int)c:X4}" : c.ToString()));

        return text.Length <= MaxMessageLength
            ? text
            : string.Concat(text.AsSpan(0, MaxMessageLength - 50), $"… (cut; {text.Length} characters in all)");
    }

    private static RpcException WithFieldViolation(Code code, string field, string message)
    {
        var badRequest = new BadRequest
        {
            FieldViolations = { new BadRequest.Types.FieldViolation { Field = field, Description = message } },
        };
        var status = new Status { Code = (int)code, Message = message, Details = { Any.Pack(badRequest) } };
        return status.ToRpcException();
    }

    private static RpcException Plain(Code code, string message) =>
        new Status { Code = (int)code, Message = message }.ToRpcException();
}
