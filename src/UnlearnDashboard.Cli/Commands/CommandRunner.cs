using Grpc.Core;
using UnlearnDashboard.Cli.Output;

namespace UnlearnDashboard.Cli.Commands;

/// <summary>
/// Runs a command body and turns the errors it can expect into a message on stderr and an exit
/// code, so that no command prints a stack trace for a server or input error.
/// </summary>
internal static class CommandRunner
{
    /// <summary>
    /// Runs <paramref name="body"/>. <paramref name="flagsByField"/> maps request fields to the flags that set them, so
    /// that a server error naming a field also names the flag the user typed.
    /// </summary>
    public static async Task<int> RunAsync(
        CliConsole console,
        Func<CancellationToken, Task<int>> body,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? flagsByField = null)
    {
        try
        {
            return await body(cancellationToken);
        }
        catch (UsageException exception)
        {
            console.Error.WriteLine($"error: {exception.Message}");
            return ExitCodes.UsageError;
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            console.Error.WriteLine("Stopped.");
            return ExitCodes.Interrupted;
        }
        catch (RpcException exception)
        {
            RpcErrorFormatter.Write(exception, console.Error, console.TlsRejection, flagsByField);
            return RpcErrorFormatter.ExitCodeFor(exception.StatusCode);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.Error.WriteLine("Stopped.");
            return ExitCodes.Interrupted;
        }
        catch (IOException exception)
        {
            console.Error.WriteLine($"error: {exception.Message}");
            return ExitCodes.Failure;
        }
        catch (UnauthorizedAccessException exception)
        {
            console.Error.WriteLine($"error: {exception.Message}");
            return ExitCodes.Failure;
        }
    }
}
