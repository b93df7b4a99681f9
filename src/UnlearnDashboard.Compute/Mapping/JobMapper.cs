using UnlearnDashboard.Compute.Storage;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Mapping;

/// <summary>Maps stored jobs to proto.</summary>
internal static class JobMapper
{
    public static Proto.Job ToProto(this JobRow row)
    {
        var job = new Proto.Job
        {
            Id = row.Id,
            Kind = (Proto.JobKind)row.Kind,
            State = (Proto.JobState)row.State,
            DatasetId = row.DatasetId,
            ModelVersionId = row.ModelVersionId ?? "",
            CreatedAt = row.CreatedAt.ToTimestamp(),
            StartedAt = row.StartedAt?.ToTimestamp(),
            FinishedAt = row.FinishedAt?.ToTimestamp(),
            Error = row.Error ?? "",
            LastSequence = row.LastSequence,
            Result = row.Result is null ? null : Proto.JobResult.Parser.ParseFrom(row.Result),
        };
        if (job.Kind == Proto.JobKind.Train)
            job.TrainRequest = Proto.TrainModelRequest.Parser.ParseFrom(row.Request);
        else if (job.Kind == Proto.JobKind.Debias)
            job.DebiasRequest = Proto.DebiasRequest.Parser.ParseFrom(row.Request);
        else if (job.Kind == Proto.JobKind.Erase)
            job.ErasureRequest = Proto.ErasureRequest.Parser.ParseFrom(row.Request);
        return job;
    }
}
