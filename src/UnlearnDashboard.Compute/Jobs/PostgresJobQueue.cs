using Microsoft.Extensions.Options;
using Npgsql;
using UnlearnDashboard.Compute.Hosting;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Jobs;

/// <summary>
/// The job queue that several compute servers share on PostgreSQL. A server claims the oldest queued job, or a
/// running job whose lease has expired because its server died, with <c>FOR UPDATE SKIP LOCKED</c>, so two
/// servers never claim the same job and neither waits for the other. Lease times use the database's clock, so
/// the servers' clocks need not agree.
/// </summary>
public sealed class PostgresJobQueue(IOptions<ComputeOptions> options, IOptions<JobOptions> jobOptions) : IAsyncDisposable
{
    /// <summary>PostgreSQL notification channel whose payload is the id of a job that CancelJob asks to stop.</summary>
    public const string CancelChannel = "unlearn_job_cancel";

    private readonly Lazy<NpgsqlDataSource> _dataSource = new(() => NpgsqlDataSource.Create(options.Value.DatabaseConnectionString));

    /// <summary>Id of this server in leases: host name, process id and a random part, unique per start.</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    public NpgsqlDataSource DataSource => _dataSource.Value;

    private double LeaseSeconds => jobOptions.Value.LeaseSeconds;

    /// <summary>
    /// Claims the oldest job that is queued, or running under an expired lease, for this server and starts
    /// its next attempt. Returns null when no job is waiting.
    /// </summary>
    public async Task<ClaimedJob?> ClaimAsync(CancellationToken cancellationToken)
    {
        // A running job without a lease was started by a server from before leases existed.
        await using var command = DataSource.CreateCommand("""
            UPDATE jobs
            SET "State" = @running, "LeaseOwner" = @owner, "LeaseExpiresAt" = now() + make_interval(secs => @lease),
                "Attempts" = "Attempts" + 1
            WHERE "Id" = (
                SELECT "Id" FROM jobs
                WHERE "State" = @queued
                   OR ("State" = @running AND ("LeaseExpiresAt" IS NULL OR "LeaseExpiresAt" < now()))
                ORDER BY "CreatedAt"
                LIMIT 1
                FOR UPDATE SKIP LOCKED)
            RETURNING "Id", "Attempts", "CancelRequested"
            """);
        command.Parameters.AddWithValue("running", (int)Proto.JobState.Running);
        command.Parameters.AddWithValue("queued", (int)Proto.JobState.Queued);
        command.Parameters.AddWithValue("owner", Owner);
        command.Parameters.AddWithValue("lease", LeaseSeconds);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;

        return new ClaimedJob(reader.GetString(0), new JobLease(Owner, reader.GetInt32(1)), reader.GetBoolean(2));
    }

    /// <summary>
    /// Extends a running job's lease by <see cref="JobOptions.LeaseSeconds"/>. Returns null when the lease no
    /// longer holds the job, otherwise whether a CancelJob on another server asked the job to stop.
    /// </summary>
    public async Task<bool?> RenewAsync(string jobId, JobLease lease, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand("""
            UPDATE jobs SET "LeaseExpiresAt" = now() + make_interval(secs => @lease)
            WHERE "Id" = @id AND "State" = @running AND "LeaseOwner" = @owner AND "Attempts" = @attempt
            RETURNING "CancelRequested"
            """);
        command.Parameters.AddWithValue("lease", LeaseSeconds);
        command.Parameters.AddWithValue("id", jobId);
        command.Parameters.AddWithValue("running", (int)Proto.JobState.Running);
        command.Parameters.AddWithValue("owner", lease.Owner);
        command.Parameters.AddWithValue("attempt", lease.Attempt);
        object? cancelRequested = await command.ExecuteScalarAsync(cancellationToken);
        return cancelRequested is bool requested ? requested : null;
    }

    /// <summary>
    /// Records a cancel request on a running job and notifies every server, so the one that runs it stops it.
    /// Returns false when the job is not running.
    /// </summary>
    public async Task<bool> RequestCancelAsync(string jobId, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand("""
            WITH requested AS (
                UPDATE jobs SET "CancelRequested" = true WHERE "Id" = @id AND "State" = @running RETURNING "Id")
            SELECT pg_notify(@channel, "Id") FROM requested
            """);
        command.Parameters.AddWithValue("id", jobId);
        command.Parameters.AddWithValue("running", (int)Proto.JobState.Running);
        command.Parameters.AddWithValue("channel", CancelChannel);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource.IsValueCreated)
            await _dataSource.Value.DisposeAsync();
    }
}

/// <summary>A job that this server has just claimed, with the lease it holds and any pending cancel request.</summary>
public sealed record ClaimedJob(string JobId, JobLease Lease, bool CancelRequested);
