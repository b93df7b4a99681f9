namespace UnlearnDashboard.Web.Jobs;

/// <summary>Methods the jobs hub calls on its clients.</summary>
public interface IJobHubClient
{
    /// <summary>Delivers one event of a job the client subscribed to. Events may arrive twice or out of order around a subscribe; clients order them by sequence.</summary>
    Task JobEvent(JobStreamEvent jobEvent);

    /// <summary>Reports that the job's events cannot be read, for example because the job does not exist.</summary>
    Task JobStreamFailed(string jobId, string message);
}
