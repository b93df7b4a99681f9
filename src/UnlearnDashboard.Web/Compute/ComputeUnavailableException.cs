namespace UnlearnDashboard.Web.Compute;

/// <summary>A call to the compute server failed; <see cref="Exception.Message"/> is written for the user.</summary>
public sealed class ComputeUnavailableException(string message, Exception innerException) : Exception(message, innerException);
