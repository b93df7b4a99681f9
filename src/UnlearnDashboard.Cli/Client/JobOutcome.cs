using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Client;

/// <summary>How a watched job ended: with a result, or with a <see cref="JobEnded"/> event.</summary>
internal sealed record JobOutcome(string JobId, JobResult? Result, JobEnded? Ended)
{
    public bool Succeeded => Result is not null;
}
