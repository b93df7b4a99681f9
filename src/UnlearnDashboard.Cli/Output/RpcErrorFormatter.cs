using System.Security.Authentication;
using System.Text;
using Google.Rpc;
using Grpc.Core;
using UnlearnDashboard.Cli.Client;

namespace UnlearnDashboard.Cli.Output;

/// <summary>Writes a server error as <c>error: STATUS: detail</c>, followed by its field violations.</summary>
internal static class RpcErrorFormatter
{
    /// <summary>
    /// Writes the error, its field violations and a hint. <paramref name="tlsRejection"/>, when the client rejected
    /// the server's certificate, makes the hint of a failed TLS handshake name the fault.
    /// </summary>
    public static void Write(
        RpcException exception,
        TextWriter error,
        TlsRejection? tlsRejection = null,
        IReadOnlyDictionary<string, string>? flagsByField = null)
    {
        error.WriteLine($"error: {StatusName(exception.StatusCode)}: {exception.Status.Detail}{Cause(exception)}");

        var badRequest = exception.GetRpcStatus()?.GetDetail<BadRequest>();
        if (badRequest is not null)
        {
            foreach (var violation in badRequest.FieldViolations)
            {
                // The server often repeats the whole message as the violation's description; then only the
                // field name adds anything.
                string field = violation.Field + FlagOf(violation.Field, flagsByField);
                if (violation.Description == exception.Status.Detail)
                    error.WriteLine($"  field: {field}");
                else
                    error.WriteLine($"  {field}: {violation.Description}");
            }
        }

        // The client reports a failed TLS handshake as INTERNAL or UNAVAILABLE, depending on where it failed.
        if (IsTlsFailure(exception))
        {
            if (tlsRejection is null)
            {
                error.WriteLine("The TLS handshake with the server failed before its certificate was checked. Check that --server names "
                    + "the compute server's HTTPS address and not a plain HTTP port.");
                return;
            }

            foreach (string hint in tlsRejection.Hints())
                error.WriteLine(hint);
            return;
        }

        switch (exception.StatusCode)
        {
            case StatusCode.Unavailable:
                error.WriteLine("Check that the compute server is running and that --server points to it.");
                break;
            case StatusCode.ResourceExhausted when exception.GetRpcStatus()?.GetDetail<RetryInfo>() is { RetryDelay: { } delay }:
                error.WriteLine($"The server asks to retry after {delay.ToTimeSpan().TotalSeconds:0.###} s.");
                break;
            case StatusCode.Unauthenticated:
                error.WriteLine("Pass an API key with --api-key or UNLEARN_API_KEY. The server's first start writes one key per role to "
                    + "credentials.json in its data folder; an admin creates more with 'unlearn keys create USER'.");
                break;
            case StatusCode.PermissionDenied:
                error.WriteLine("The key's user has a role that may not do this; 'unlearn whoami' shows the role. Ask an admin for a key "
                    + "of a user with one of the roles named above.");
                break;
        }
    }

    /// <summary>Returns the innermost client-side exception message, for example "Connection refused", in parentheses.</summary>
    private static string Cause(RpcException exception) =>
        InnermostCause(exception) is { } cause ? $" ({cause.Message})" : "";

    /// <summary>Returns true when the connection failed in the TLS handshake, for example on an untrusted certificate.</summary>
    private static bool IsTlsFailure(RpcException exception)
    {
        for (var cause = exception.Status.DebugException; cause is not null; cause = cause.InnerException)
        {
            if (cause is AuthenticationException)
                return true;
        }

        return false;
    }

    private static Exception? InnermostCause(RpcException exception)
    {
        var cause = exception.Status.DebugException;
        while (cause?.InnerException is not null)
        {
            cause = cause.InnerException;
        }

        return cause;
    }

    /// <summary>Returns <see cref="ExitCodes.UsageError"/> for statuses that mean the request itself was wrong.</summary>
    /// <summary>Returns " (--flag)" for a field the command sets from a flag, matching a list item or nested field by its top name.</summary>
    private static string FlagOf(string field, IReadOnlyDictionary<string, string>? flagsByField)
    {
        string top = field.Split('.', '[')[0];
        return flagsByField?.GetValueOrDefault(top) is { } flag ? $" ({flag})" : "";
    }

    public static int ExitCodeFor(StatusCode statusCode) => statusCode switch
    {
        StatusCode.InvalidArgument
            or StatusCode.NotFound
            or StatusCode.FailedPrecondition
            or StatusCode.AlreadyExists => ExitCodes.UsageError,
        _ => ExitCodes.Failure,
    };

    /// <summary>Returns the canonical gRPC name of a status code, for example INVALID_ARGUMENT.</summary>
    public static string StatusName(StatusCode statusCode)
    {
        if (statusCode == StatusCode.OK)
        {
            return "OK";
        }

        var pascalName = statusCode.ToString();
        var name = new StringBuilder(pascalName.Length + 4);
        for (var i = 0; i < pascalName.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascalName[i]))
            {
                name.Append('_');
            }

            name.Append(char.ToUpperInvariant(pascalName[i]));
        }

        return name.ToString();
    }
}
