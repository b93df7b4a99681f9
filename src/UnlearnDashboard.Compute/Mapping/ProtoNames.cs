using System.Reflection;
using Google.Protobuf.Reflection;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Mapping;

/// <summary>The names the proto gives enum values, which messages quote so that a gRPC client recognises them.</summary>
internal static class ProtoNames
{
    private const string JobStatePrefix = "JOB_STATE_";

    /// <summary>Returns the value's name in the proto, such as <c>INFLUENCE_SOLVER_LISSA</c>.</summary>
    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        typeof(TEnum).GetField(value.ToString())?.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? value.ToString();

    /// <summary>
    /// Returns a job state as messages name it, the proto name without its prefix (<c>CANCELLED</c>), as counterfactual
    /// set statuses are named.
    /// </summary>
    public static string Of(Proto.JobState state)
    {
        string name = Of<Proto.JobState>(state);
        return name.StartsWith(JobStatePrefix, StringComparison.Ordinal) ? name[JobStatePrefix.Length..] : name;
    }
}
