using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using UnlearnDashboard.Web.Jobs.Authentication;

namespace UnlearnDashboard.Web.Jobs;

/// <summary>
/// Relays job events to subscribed clients. Each job has one relay in this process, which reads the compute
/// server's WatchJob stream however many clients watch; each subscriber joins the job's group.
/// </summary>
[Authorize(AuthenticationSchemes = CircuitTokenDefaults.Scheme)]
public sealed class JobsHub(JobRelayRegistry relays) : Hub<IJobHubClient>
{
    public const string Path = "/hubs/jobs";

    public static string GroupName(string jobId) => "job:" + jobId;

    /// <summary>
    /// Adds the caller to the job's group and returns the events after <paramref name="afterSequence"/> that the
    /// relay has read so far. Later events arrive through <see cref="IJobHubClient.JobEvent"/>; one may arrive
    /// both ways, so the caller drops sequences it already has.
    /// </summary>
    public async Task<IReadOnlyList<JobStreamEvent>> Subscribe(string jobId, long afterSequence)
    {
        ValidateJobId(jobId);

        // Joining the group before reading the buffer means an event is either in the buffer or sent to us.
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupName(jobId), Context.ConnectionAborted);
        var relay = relays.Attach(jobId, Context.ConnectionId);
        return relay.EventsAfter(afterSequence);
    }

    /// <summary>Returns the events after <paramref name="afterSequence"/> of a job the caller subscribed to, to fill a gap.</summary>
    public IReadOnlyList<JobStreamEvent> GetEvents(string jobId, long afterSequence)
    {
        ValidateJobId(jobId);
        var relay = relays.Find(jobId, Context.ConnectionId)
            ?? throw new HubException($"Not subscribed to job {jobId}; call Subscribe first.");
        return relay.EventsAfter(afterSequence);
    }

    public async Task Unsubscribe(string jobId)
    {
        ValidateJobId(jobId);
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupName(jobId), Context.ConnectionAborted);
        await relays.DetachAsync(jobId, Context.ConnectionId);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        await relays.DetachAllAsync(Context.ConnectionId);
        await base.OnDisconnectedAsync(exception);
    }

    private static void ValidateJobId(string jobId)
    {
        if (string.IsNullOrWhiteSpace(jobId) || jobId.Length > 200)
            throw new HubException("The job id is missing or longer than 200 characters.");
    }
}
