using Google.Protobuf.WellKnownTypes;
using UnlearnDashboard.Engine.Pipeline;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Jobs;

/// <summary>Builds the proto events of a job.</summary>
internal static class JobEvents
{
    public static Proto.JobEvent Progress(string jobId, long sequence, DateTimeOffset time, ProgressUpdate update) => new()
    {
        JobId = jobId,
        Sequence = sequence,
        Time = Timestamp.FromDateTimeOffset(time),
        Progress = new Proto.JobProgress
        {
            Phase = update.Phase,
            Fraction = Math.Clamp(update.Fraction, 0, 1),
            Message = update.Message,
            Metrics = update.Metrics is null ? null : ToProto(update.Metrics),
        },
    };

    public static Proto.JobEvent Result(string jobId, long sequence, DateTimeOffset time, Proto.JobResult result) => new()
    {
        JobId = jobId,
        Sequence = sequence,
        Time = Timestamp.FromDateTimeOffset(time),
        Result = result,
    };

    public static Proto.JobEvent Ended(string jobId, long sequence, DateTimeOffset time, Proto.JobState state, string message) => new()
    {
        JobId = jobId,
        Sequence = sequence,
        Time = Timestamp.FromDateTimeOffset(time),
        Ended = new Proto.JobEnded { State = state, Message = message },
    };

    private static Proto.LiveMetrics ToProto(LiveMetrics metrics)
    {
        var message = new Proto.LiveMetrics { Step = metrics.Step };
        if (metrics.Accuracy is { } accuracy && double.IsFinite(accuracy))
            message.Accuracy = accuracy;
        if (metrics.DemographicParityDifference is { } demographicParity && double.IsFinite(demographicParity))
            message.DemographicParityDifference = demographicParity;
        if (metrics.BiasObjective is { } biasObjective && double.IsFinite(biasObjective))
            message.BiasObjective = biasObjective;
        if (metrics.Loss is { } loss && double.IsFinite(loss))
            message.Loss = loss;
        foreach (var (group, rate) in metrics.SelectionRates)
            message.SelectionRates[group] = rate;
        return message;
    }
}
