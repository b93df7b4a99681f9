using System.ComponentModel.DataAnnotations;

namespace UnlearnDashboard.Web.Jobs;

/// <summary>Settings of the job relays, bound from the <c>JobStreams</c> section.</summary>
public sealed class JobStreamOptions
{
    public const string Section = "JobStreams";

    /// <summary>URL of this process's jobs hub that circuits connect to; empty derives it from the listening address.</summary>
    public string HubUrl { get; set; } = "";

    /// <summary>First wait before a relay resumes a dropped WatchJob stream, in seconds; it doubles per failure. Default 0.2.</summary>
    [Range(0.001, 60)]
    public double RetryDelaySeconds { get; set; } = 0.2;

    /// <summary>Longest wait between resume attempts, in seconds. Default 5.</summary>
    [Range(0.001, 600)]
    public double MaxRetryDelaySeconds { get; set; } = 5;
}
