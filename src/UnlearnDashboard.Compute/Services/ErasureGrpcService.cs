using Grpc.Core;
using UnlearnDashboard.Compute.Access;
using UnlearnDashboard.Compute.Erasures;
using UnlearnDashboard.Compute.Mapping;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Services;

/// <summary>Queues erasure jobs and returns their certificates.</summary>
public sealed class ErasureGrpcService(ErasureCatalog erasures) : Proto.ErasureService.ErasureServiceBase
{
    public override async Task<Proto.Job> SubmitErasure(Proto.ErasureRequest request, ServerCallContext context)
    {
        var job = await erasures.SubmitAsync(context.Caller().UserName, request, context.CancellationToken);
        return job.ToProto();
    }

    public override Task<Proto.ErasureCertificate> GetErasureCertificate(Proto.GetErasureCertificateRequest request, ServerCallContext context) =>
        erasures.GetAsync(request.Id, context.CancellationToken);

    public override async Task<Proto.ListErasuresResponse> ListErasures(Proto.ListErasuresRequest request, ServerCallContext context)
    {
        var certificates = await erasures.ListAsync(string.IsNullOrEmpty(request.Dataset) ? null : request.Dataset, context.CancellationToken);
        return new Proto.ListErasuresResponse { Certificates = { certificates } };
    }
}
