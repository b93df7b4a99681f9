namespace UnlearnDashboard.Compute.Hosting;

/// <summary>
/// A failure that stops the server from starting, with a message that names the setting or file at fault and
/// the fix. Program.cs prints the message and exits with status 1, without a stack trace.
/// </summary>
public sealed class StartupException(string message, Exception? innerException = null) : Exception(message, innerException);
