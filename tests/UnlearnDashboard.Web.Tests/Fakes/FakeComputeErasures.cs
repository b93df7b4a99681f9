using Grpc.Core;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Tests.Fakes;

/// <summary>Records erasure requests and returns certificates from a list, in place of the compute server's ErasureService.</summary>
public sealed class FakeComputeErasures : IComputeErasures
{
    public List<ErasureCertificate> Certificates { get; } = [];

    public List<ErasureRequest> Submitted { get; } = [];

    /// <summary>The job that a submission returns.</summary>
    public Job Job { get; set; } = new() { Id = "job-erase-1", Kind = JobKind.Erase, State = JobState.Queued };

    /// <summary>When set, submissions fail with it.</summary>
    public Exception? SubmitError { get; set; }

    /// <summary>When set, reads fail with it.</summary>
    public Exception? Error { get; set; }

    public Task<Job> SubmitAsync(ErasureRequest request, CancellationToken cancellationToken)
    {
        Submitted.Add(request);
        return SubmitError is null ? Task.FromResult(Job.Clone()) : Task.FromException<Job>(SubmitError);
    }

    public Task<ErasureCertificate> GetCertificateAsync(string id, CancellationToken cancellationToken)
    {
        if (Error is not null)
            throw Error;

        var certificate = Certificates.FirstOrDefault(c => c.Id == id || c.JobId == id)
            ?? throw FakeComputeAccess.Fail(StatusCode.NotFound, $"Erasure '{id}' was not found.");
        return Task.FromResult(certificate.Clone());
    }

    public Task<IReadOnlyList<ErasureCertificate>> ListAsync(string? dataset, CancellationToken cancellationToken)
    {
        if (Error is not null)
            throw Error;

        return Task.FromResult<IReadOnlyList<ErasureCertificate>>(Certificates.Where(c => dataset is null || c.DatasetId == dataset).ToList());
    }
}
