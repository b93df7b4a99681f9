using UnlearnDashboard.Engine.Pipeline;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Mapping;

/// <summary>Maps erasure requests to engine options and erasure outcomes to proto.</summary>
internal static class ErasureMapper
{
    public static ErasureOptions ToOptions(this Proto.ErasureRequest request) => new()
    {
        Layers = request.Layers.ToList(),
        Damping = request.HasDamping ? request.Damping : null,
        NewtonSteps = request.HasNewtonSteps ? request.NewtonSteps : 1,
        Retrain = !request.SkipRetrain,
        Seed = request.HasSeed ? (int)request.Seed : 0,
    };

    public static Proto.ErasureResult ToProto(this ErasureOutcome outcome, string baseVersionId, int erasedRowCount)
    {
        var result = new Proto.ErasureResult
        {
            BaseVersionId = baseVersionId,
            ErasedRowCount = erasedRowCount,
            TrainedRowCount = outcome.TrainedRowIds.Length,
            Verification = outcome.Verification.ToProto(),
            Layers = { outcome.Layers },
            Damping = outcome.Damping,
            NewtonSteps = outcome.NewtonSteps,
            After = outcome.After.ToProto(),
            DampingChosenByRule = outcome.DampingChosenByRule,
            SolverIterations = outcome.SolverIterations,
            SolverResidual = outcome.SolverResidual,
        };
        return result;
    }

    private static Proto.MembershipCheck ToProto(this ErasureVerification verification)
    {
        var check = new Proto.MembershipCheck
        {
            MemberCount = verification.MemberCount,
            NonMemberCount = verification.NonMemberCount,
            Tolerance = verification.Tolerance,
            ReferenceAuc = verification.ReferenceAuc,
            Passed = verification.Passed,
            Message = verification.Message,
        };
        if (verification.BaseAuc is { } baseAuc)
            check.BaseAuc = baseAuc;
        if (verification.ErasedAuc is { } erasedAuc)
            check.ErasedAuc = erasedAuc;
        if (verification.RetrainedAuc is { } retrainedAuc)
            check.RetrainedAuc = retrainedAuc;
        return check;
    }
}
