using static TorchSharp.torch;

namespace UnlearnDashboard.Compute.Jobs.Worker;

/// <summary>Test-only native failures of libtorch, for the worker's fault injection.</summary>
internal static class NativeFaults
{
    /// <summary>
    /// Differentiates a graph a second time after its buffers were freed. libtorch raises a c10::Error inside
    /// <c>autograd.grad</c>, which TorchSharp 0.107 does not catch there, so the process terminates.
    /// </summary>
    public static void FailLibtorchCheck()
    {
        using var input = ones(4, requires_grad: true);
        using var output = (input * input).sum();
        autograd.grad([output], [input]);
        autograd.grad([output], [input]);
    }
}
