namespace UnlearnDashboard.Cli;

/// <summary>Invalid input found before anything is sent to the server; exits with <see cref="ExitCodes.UsageError"/>.</summary>
internal sealed class UsageException(string message) : Exception(message);
