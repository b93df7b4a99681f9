using TorchSharp;
using UnlearnDashboard.Engine.Numerics;
using UnlearnDashboard.Engine.Pipeline;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Tests.Numerics;

/// <summary>
/// Checks that the engine passes libtorch no temporary Scalar, which TorchSharp 0.107 lets the finalizer free
/// during the native call (see <see cref="Scalars"/>).
/// </summary>
public sealed class ScalarLifetimeTests
{
    private static readonly ScalarConversionScanner Scanner = ScalarConversionScanner.ForTorchSharp();

    [Fact]
    public void Engine_PassesNoTemporaryScalar()
    {
        var calls = Scanner.FindCalls(typeof(DebiasPipeline).Assembly.Location);

        Assert.True(calls.Count == 0, "Engine code passes temporary scalars to libtorch:\n" + string.Join("\n", calls));
    }

    [Fact]
    public void Scanner_FollowsTorchSharpCallsToConversions()
    {
        Assert.Contains(Scanner.ConvertingMembers, m => m.StartsWith("TorchSharp.torch+Tensor::op_Addition(TorchSharp.torch+Tensor,TorchSharp.torch+Tensor)", StringComparison.Ordinal));
        Assert.Contains(Scanner.ConvertingMembers, m => m.StartsWith("TorchSharp.Modules.Adam::step(", StringComparison.Ordinal));
        Assert.DoesNotContain(Scanner.ConvertingMembers, m => m.StartsWith("TorchSharp.torch+Tensor::add(TorchSharp.torch+Tensor,TorchSharp.Scalar)", StringComparison.Ordinal));
    }

    [Fact]
    public void Scanner_ReportsEachKindOfTemporaryScalar()
    {
        var calls = Scanner.FindCalls(typeof(ScalarLifetimeTests).Assembly.Location)
            .Where(c => c.Caller.StartsWith(typeof(Samples).FullName!.Replace('+', '.') + "::", StringComparison.Ordinal)
                || c.Caller.StartsWith(typeof(Samples).FullName! + "::", StringComparison.Ordinal))
            .ToList();

        Assert.Contains(calls, c => c.Caller.Contains("::Half(", StringComparison.Ordinal) && c.Callee.StartsWith("TorchSharp.Scalar::op_Implicit(Double)", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.Caller.Contains("::Sum(", StringComparison.Ordinal) && c.Callee.Contains("::op_Addition(", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.Caller.Contains("::Optimizer(", StringComparison.Ordinal) && c.Callee.EndsWith("=> TorchSharp.Modules.Adam", StringComparison.Ordinal));
        Assert.DoesNotContain(calls, c => c.Caller.Contains("::KeptAlive(", StringComparison.Ordinal));
    }

    /// <summary>Code the scanner must flag, except <see cref="KeptAlive"/>; never run.</summary>
    private static class Samples
    {
        public static Tensor Half(Tensor values) => values.mul(0.5);

        public static Tensor Sum(Tensor left, Tensor right) => left + right;

        public static IDisposable Optimizer(TorchSharp.Modules.Linear layer) => optim.Adam(layer.parameters());

        public static Tensor KeptAlive(Tensor left, Tensor right, double scale)
        {
            using var factor = scale.ToScalar();
            return left.add(right, Scalars.One).mul_(factor);
        }
    }
}
