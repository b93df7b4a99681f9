namespace UnlearnDashboard.Cli;

/// <summary>Process exit codes of the <c>unlearn</c> command.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The job failed, was cancelled or interrupted, or the server returned another error.</summary>
    public const int Failure = 1;

    /// <summary>Invalid arguments, a missing local file, or a request the server rejected as invalid.</summary>
    public const int UsageError = 2;

    /// <summary>Stopped by Ctrl+C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
