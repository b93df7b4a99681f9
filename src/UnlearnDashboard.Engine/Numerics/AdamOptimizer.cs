using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Numerics;

/// <summary>
/// Adam (Kingma and Ba, 2015) with the defaults of PyTorch's <c>torch.optim.Adam</c>: betas 0.9 and 0.999,
/// epsilon 1e-8, no weight decay, no AMSGrad.
/// </summary>
/// <remarks>
/// It computes the same update as TorchSharp's <c>optim.Adam</c>, whose step passes temporary scalars to
/// libtorch (see <see cref="Scalars"/>). Every scalar here is a field or a <c>using</c> local instead.
/// </remarks>
internal sealed class AdamOptimizer : IDisposable
{
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;

    private static readonly Scalar Beta1Scalar = Beta1.ToScalar();
    private static readonly Scalar Beta2Scalar = Beta2.ToScalar();
    private static readonly Scalar OneMinusBeta1 = (1 - Beta1).ToScalar();
    private static readonly Scalar OneMinusBeta2 = (1 - Beta2).ToScalar();
    private static readonly Scalar Epsilon = 1e-8.ToScalar();

    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly Tensor[] _firstMoments;
    private readonly Tensor[] _secondMoments;
    private readonly double _learningRate;
    private long _steps;

    /// <param name="parameters">Parameters to update; the optimizer keeps its moment estimates per parameter.</param>
    /// <param name="learningRate">Step size, > 0.</param>
    public AdamOptimizer(IEnumerable<Parameter> parameters, double learningRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(learningRate);
        _parameters = parameters.ToList();
        _learningRate = learningRate;
        _firstMoments = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        _secondMoments = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>Sets every parameter's gradient to zero.</summary>
    public void ZeroGrad()
    {
        using var scope = NewDisposeScope();
        foreach (var parameter in _parameters)
            parameter.grad?.zero_();
    }

    /// <summary>Moves every parameter that has a gradient by one Adam step.</summary>
    public void Step()
    {
        _steps++;
        double biasCorrection1 = 1 - Math.Pow(Beta1, _steps);
        double biasCorrection2 = 1 - Math.Pow(Beta2, _steps);
        using var stepSize = (-_learningRate / biasCorrection1).ToScalar();
        using var biasCorrection2Root = Math.Sqrt(biasCorrection2).ToScalar();

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < _parameters.Count; i++)
        {
            var gradient = _parameters[i].grad;
            if (gradient is null)
                continue;

            _firstMoments[i].mul_(Beta1Scalar).add_(gradient, OneMinusBeta1);
            _secondMoments[i].mul_(Beta2Scalar).addcmul_(gradient, gradient, OneMinusBeta2);
            var denominator = _secondMoments[i].sqrt().div_(biasCorrection2Root).add_(Epsilon, Scalars.One);
            _parameters[i].addcdiv_(_firstMoments[i], denominator, stepSize);
        }
    }

    public void Dispose()
    {
        foreach (var moment in _firstMoments.Concat(_secondMoments))
            moment.Dispose();
    }
}
