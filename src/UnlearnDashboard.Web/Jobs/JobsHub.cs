using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Access;
using UnlearnDashboard.Web.Jobs.Authentication;

namespace UnlearnDashboard.Web.Jobs;

/// <summary>
/// Relays job events to subscribed clients. Each job has one relay in this process, which reads the compute
/// server's WatchJob stream however many clients watch; each subscriber joins the job's group. Connections
/// authenticate with a circuit token, and the compute server decides with each subscriber's session token
/// whether that subscriber may read the job.
/// </summary>
[Authorize(AuthenticationSchemes = CircuitTokenDefaults.Scheme)]
public sealed class JobsHub(JobRelayRegistry relays, JobService.JobServiceClient jobs) : Hub<IJobHubClient>
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
        string sessionToken = SessionClaims.TokenOf(Context.User)
            ?? throw new HubException("The connection carries no session token; sign in again.");
        await CheckAccessAsync(jobId, sessionToken);

        // Joining the group before reading the buffer means an event is either in the buffer or sent to us.
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupName(jobId), Context.ConnectionAborted);
        var relay = relays.Attach(jobId, Context.ConnectionId, sessionToken);
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

    /// <summary>
    /// Reads the job with the subscriber's own session token, so the compute server, not the dashboard, decides
    /// whether this user may watch it, also when a relay for the job already runs for someone else.
    /// </summary>
    private async Task CheckAccessAsync(string jobId, string sessionToken)
    {
        var headers = new Metadata { { SessionTokenInterceptor.Header, SessionTokenInterceptor.BearerValue(sessionToken) } };
        try
        {
            await jobs.GetJobAsync(new GetJobRequest { JobId = jobId }, headers, DateTime.UtcNow.AddSeconds(10), Context.ConnectionAborted);
        }
        catch (RpcException exception) when (exception.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated
            or StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            throw new HubException(exception.Status.Detail);
        }
    }

    private static void ValidateJobId(string jobId)
    {
        if (string.IsNullOrWhiteSpace(jobId) || jobId.Length > 200)
            throw new HubException("The job id is missing or longer than 200 characters.");
    }
}
