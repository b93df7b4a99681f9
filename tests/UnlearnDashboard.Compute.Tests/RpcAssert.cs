using Google.Rpc;
using Grpc.Core;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>Asserts on gRPC failures and their <c>google.rpc.BadRequest</c> details.</summary>
internal static class RpcAssert
{
    /// <summary>Runs a call that must fail and returns its exception.</summary>
    public static async Task<RpcException> FailsAsync(Func<Task> call)
    {
        return await Assert.ThrowsAsync<RpcException>(call);
    }

    /// <summary>Returns the fields named by the failure's BadRequest field violations, or none.</summary>
    public static IReadOnlyList<string> ViolatedFields(RpcException error)
    {
        var badRequest = error.GetRpcStatus()?.GetDetail<BadRequest>();
        return badRequest?.FieldViolations.Select(v => v.Field).ToList() ?? [];
    }
}
