using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Influence;

/// <summary>
/// The curvature side of influence functions for a <see cref="LinearStack"/>: the mean binary cross-entropy
/// over the training rows, its Hessian-vector products by double backpropagation, damped solves by
/// conjugate gradients, and per-sample loss gradients in batched form. Everything is float64.
/// </summary>
public sealed class InfluenceProblem : IDisposable
{
    private readonly LinearStack _stack;
    private readonly Tensor _trainPrefix;
    private readonly Tensor _trainLabels;
    private readonly Tensor _gradient;

    // Set when the only chosen layer is the output layer: the logit is then linear in its parameters, so
    // the Hessian is exactly (1/n) sum of p (1 - p) x x^T over the rows' layer inputs x (with a 1 for the
    // bias). It is formed once, and each Hessian-vector product is a small matrix product.
    private readonly Tensor? _outputLayerHessian;

    /// <summary>
    /// Prepares the training loss and its gradient graph once, so that every Hessian-vector product reuses it.
    /// <paramref name="closedFormOutputLayer"/> = false forces double backpropagation even for the output layer.
    /// </summary>
    public InfluenceProblem(LinearStack stack, Tensor trainInputs, Tensor trainLabels, double damping, bool closedFormOutputLayer = true)
    {
        _stack = stack;
        Damping = damping;
        TrainCount = trainInputs.shape[0];

        // The gradient keeps its autograd graph (create_graph), so the intermediate handles can be disposed:
        // libtorch's graph holds its own references to what the second derivative needs.
        using var scope = NewDisposeScope();
        _trainPrefix = stack.Prefix(trainInputs).MoveToOuterDisposeScope();
        _trainLabels = trainLabels.to(float64).MoveToOuterDisposeScope();
        if (closedFormOutputLayer && stack.Chosen is [var only] && only == stack.LayerCount - 1)
        {
            var features = WithBiasColumn(_trainPrefix);
            var probabilities = stack.Logits(_trainPrefix).detach().sigmoid();
            var weights = probabilities * (1 - probabilities) / (double)TrainCount;
            _outputLayerHessian = features.t().matmul(features * weights.unsqueeze(1)).MoveToOuterDisposeScope();
            _gradient = features.t().matmul(probabilities - _trainLabels).div_(TrainCount).MoveToOuterDisposeScope();
            return;
        }

        var loss = nn.functional.binary_cross_entropy_with_logits(stack.Logits(_trainPrefix), _trainLabels);
        var gradients = autograd.grad([loss], stack.Parameters, retain_graph: true, create_graph: true);
        _gradient = LinearStack.Flatten(gradients).MoveToOuterDisposeScope();
    }

    public double Damping { get; }

    public long TrainCount { get; }

    public LinearStack Stack => _stack;

    /// <summary>Gradient of the mean training loss over the chosen parameters, flat.</summary>
    public Tensor Gradient => _gradient.detach();

    /// <summary>Returns H v, where H is the Hessian of the mean training loss over the chosen layers.</summary>
    public Tensor HessianVectorProduct(Tensor vector)
    {
        if (_outputLayerHessian is not null)
            return _outputLayerHessian.matmul(vector);

        using var scope = NewDisposeScope();
        var product = autograd.grad([_gradient.dot(vector)], _stack.Parameters, retain_graph: true);
        return LinearStack.Flatten(product).detach().MoveToOuterDisposeScope();
    }

    /// <summary>Returns (H + lambda I) v.</summary>
    public Tensor DampedProduct(Tensor vector)
    {
        using var scope = NewDisposeScope();
        var product = HessianVectorProduct(vector);
        return product.add_(vector, Damping).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Solves (H + lambda I) x = b by conjugate gradients to a relative residual of 1e-10. Without damping,
    /// a singular Hessian is rejected: explicitly for up to <see cref="ExplicitCheckLimit"/> parameters,
    /// and otherwise when conjugate gradients meet a direction without positive curvature.
    /// </summary>
    public SolveResult Solve(Tensor b, CancellationToken cancellationToken)
    {
        if (Damping == 0 && _stack.ParameterCount <= ExplicitCheckLimit)
            RejectSingularHessian(cancellationToken);

        int maxIterations = (int)Math.Min(Math.Max(100, 4 * _stack.ParameterCount), 2000);
        return ConjugateGradient.Solve(DampedProduct, b.to(float64), 1e-10, maxIterations, cancellationToken);
    }

    /// <summary>Parameter count up to which an undamped solve first checks the explicit Hessian's spectrum.</summary>
    public const int ExplicitCheckLimit = 512;

    /// <summary>Builds H column by column from Hessian-vector products; for small parameter counts only.</summary>
    public Tensor ExplicitHessian(CancellationToken cancellationToken)
    {
        long size = _stack.ParameterCount;
        var columns = new List<Tensor>();
        using var scope = NewDisposeScope();
        for (long i = 0; i < size; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var unit = zeros(size, float64);
            unit[i] = 1.0;
            columns.Add(HessianVectorProduct(unit));
        }

        return stack(columns, 1).MoveToOuterDisposeScope();
    }

    private void RejectSingularHessian(CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var hessian = ExplicitHessian(cancellationToken);
        var eigenvalues = linalg.eigvalsh((hessian + hessian.t()) / 2.0);
        double smallest = eigenvalues.min().item<double>();
        double largest = eigenvalues.abs().max().item<double>();
        if (smallest <= 1e-10 * Math.Max(largest, double.Epsilon))
        {
            throw EngineException.Precondition("damping",
                $"The Hessian is singular or indefinite (smallest eigenvalue {smallest:G3}, largest {largest:G3}); "
                + "set a damping lambda > 0.", "0");
        }
    }

    /// <summary>
    /// Returns the per-sample gradients of the loss, [rows, parameters], for rows given by their model inputs.
    /// One backward pass yields every row's gradient with respect to each chosen layer's output; the weight
    /// gradient is then the outer product of that with the layer's input, row by row.
    /// </summary>
    public Tensor PerSampleGradients(Tensor inputs, Tensor labels)
    {
        using var prefix = _stack.Prefix(inputs);
        return PerSampleGradientsFromPrefix(prefix, labels);
    }

    private Tensor PerSampleGradientsFromPrefix(Tensor prefix, Tensor labels)
    {
        using var scope = NewDisposeScope();
        if (_outputLayerHessian is not null)
        {
            var residuals = _stack.Logits(prefix).detach().sigmoid() - labels.to(float64);
            return (WithBiasColumn(prefix) * residuals.unsqueeze(1)).MoveToOuterDisposeScope();
        }

        var outputs = new List<Tensor>();
        var layerInputs = new List<Tensor>();
        var logits = _stack.Forward(prefix, outputs, layerInputs);
        var loss = nn.functional.binary_cross_entropy_with_logits(logits, labels.to(float64), reduction: nn.Reduction.Sum);
        var outputGradients = autograd.grad([loss], outputs);

        var parts = new List<Tensor>();
        for (int i = 0; i < outputs.Count; i++)
        {
            var delta = outputGradients[i];
            long rows = delta.shape[0];
            parts.Add((delta.unsqueeze(2) * layerInputs[i].unsqueeze(1)).reshape(rows, -1));
            parts.Add(delta);
        }

        return cat(parts, 1).detach().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Returns the influence I(z) = -v^T grad L(z) of every row on an objective whose inverse-Hessian-weighted
    /// gradient is <paramref name="solvedObjectiveGradient"/> = (H + lambda I)^-1 grad B, in chunks of rows.
    /// </summary>
    public double[] Scores(Tensor inputs, Tensor labels, Tensor solvedObjectiveGradient, CancellationToken cancellationToken)
    {
        using var prefix = _stack.Prefix(inputs);
        return ScoresFromPrefix(prefix, labels, solvedObjectiveGradient, cancellationToken);
    }

    /// <summary>Returns the influence scores of every training row, reusing the cached layer inputs.</summary>
    public double[] TrainScores(Tensor solvedObjectiveGradient, CancellationToken cancellationToken) =>
        ScoresFromPrefix(_trainPrefix, _trainLabels, solvedObjectiveGradient, cancellationToken);

    private double[] ScoresFromPrefix(Tensor prefix, Tensor labels, Tensor solved, CancellationToken cancellationToken)
    {
        if (_outputLayerHessian is not null)
        {
            // For the output layer, -(p - y) [x, 1]^T v = -(p - y) (x^T v_w + v_b): one matrix-vector
            // product, with no per-sample gradient matrix.
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var residuals = _stack.Logits(prefix).detach().sigmoid() - labels.to(float64);
            long width = prefix.shape[1];
            var projected = prefix.matmul(solved.narrow(0, 0, width)) + solved[width];
            return (residuals * projected).neg().data<double>().ToArray();
        }

        long rows = prefix.shape[0];
        long chunk = Math.Max(1, 16_000_000 / Math.Max(1, _stack.ParameterCount));
        var scores = new double[rows];
        for (long start = 0; start < rows; start += chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            long count = Math.Min(chunk, rows - start);
            var gradients = PerSampleGradientsFromPrefix(prefix.narrow(0, start, count), labels.narrow(0, start, count));
            gradients.matmul(solved).neg().data<double>().CopyTo(scores, (int)start);
        }

        return scores;
    }

    /// <summary>Returns the sum of the per-sample loss gradients of the given rows.</summary>
    public Tensor SumOfGradients(Tensor inputs, Tensor labels, CancellationToken cancellationToken)
    {
        long rows = inputs.shape[0];
        long chunk = Math.Max(1, 16_000_000 / Math.Max(1, _stack.ParameterCount));
        var sum = zeros(_stack.ParameterCount, float64);
        for (long start = 0; start < rows; start += chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            long count = Math.Min(chunk, rows - start);
            sum.add_(PerSampleGradients(inputs.narrow(0, start, count), labels.narrow(0, start, count)).sum(dim: 0));
        }

        return sum;
    }

    private static Tensor WithBiasColumn(Tensor inputs) =>
        cat([inputs, ones(inputs.shape[0], 1, float64)], 1);

    public void Dispose()
    {
        _outputLayerHessian?.Dispose();
        _gradient.Dispose();
        _trainPrefix.Dispose();
        _trainLabels.Dispose();
    }
}
