using Grpc.Core;
using UnlearnDashboard.Compute.Diagnostics;
using UnlearnDashboard.Compute.Jobs;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Services;

/// <summary>Reports the server process's memory, live tensors and active jobs.</summary>
public sealed class DiagnosticsGrpcService(JobScheduler scheduler) : DiagnosticsService.DiagnosticsServiceBase
{
    public override Task<ServerStats> GetServerStats(GetServerStatsRequest request, ServerCallContext context)
    {
        var (resident, peak) = ProcessMemory.Read();
        return Task.FromResult(new ServerStats
        {
            ResidentBytes = resident,
            PeakResidentBytes = peak,
            ManagedHeapBytes = GC.GetGCMemoryInfo().HeapSizeBytes,
            LiveTensors = TabularModel.LiveTensors,
            ActiveJobs = scheduler.ActiveCount,
        });
    }
}
