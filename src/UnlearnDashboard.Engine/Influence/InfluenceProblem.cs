using TorchSharp;
using UnlearnDashboard.Engine.Numerics;
using UnlearnDashboard.Engine.Pipeline;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Influence;

/// <summary>
/// The curvature side of influence functions for a <see cref="LinearStack"/>: the mean binary cross-entropy
/// over the training rows, products with its curvature (the exact Hessian by double backpropagation, or the
/// generalised Gauss-Newton matrix J^T diag(p (1 - p)) J / n), damped solves by conjugate gradients or LiSSA,
/// per-sample loss gradients in batched form, and influence scores by forward tangents. Everything is float64.
/// With more than <see cref="CurvatureSampleRows"/> training rows, the curvature is that of the mean loss over a
/// fixed random sub-sample of that many rows, drawn once with <see cref="CurvatureSampleSeed"/>, so every product
/// of one solve uses the same matrix, and LiSSA draws its mini-batches from the sample. The gradient and the scores
/// still use every row, in chunks.
/// </summary>
public sealed class InfluenceProblem : IDisposable
{
    /// <summary>
    /// Training rows up to which the curvature uses every row. Above it, a curvature product costs as much as on this
    /// many rows, and the layer inputs kept for it take this many rows' memory.
    /// </summary>
    public const int CurvatureSampleRows = 32_768;

    /// <summary>Seed of the curvature sub-sample, fixed so that a large dataset ranks the same on every run.</summary>
    public const int CurvatureSampleSeed = 17;

    private readonly LinearStack _stack;

    // The curvature rows: every training row, or the sub-sample. _trainPrefix contains their inputs to the first chosen layer.
    private readonly Tensor _trainPrefix;
    private readonly Tensor _trainLabels;
    private readonly Tensor _gradient;

    // Set when the curvature uses a sub-sample: every training row's model inputs (not owned) and labels, for the
    // gradient and the scores, which are then computed chunk by chunk.
    private readonly Tensor? _allInputs;
    private readonly Tensor? _allLabels;

    // The mean gradient over every row when the exact Hessian's products use a sub-sample; _gradient is then the sample's.
    private readonly Tensor? _meanGradient;

    // Set when the only chosen layer is the output layer. The logit is then linear in its parameters, so the
    // Hessian is exactly (1/n) sum of p (1 - p) x x^T over the rows' layer inputs x, with a 1 for the bias.
    // It is formed once, and each Hessian-vector product is a small matrix product.
    private readonly Tensor? _outputLayerHessian;

    // Set for the Gauss-Newton curvature over more than the output layer: the Jacobian's factors on the
    // curvature rows, which give each product by matrix products.
    private readonly GaussNewtonFactors? _gaussNewton;

    /// <summary>
    /// Prepares the training loss and its gradient graph once, so that every curvature product reuses it.
    /// <paramref name="closedFormOutputLayer"/> = false forces double backpropagation even for the output layer.
    /// <paramref name="curvature"/> picks the exact Hessian (the default) or the Gauss-Newton matrix;
    /// <see cref="CurvatureKind.Auto"/> takes the Hessian for the output layer alone and Gauss-Newton otherwise.
    /// For the output layer alone the two are equal, because the logit is linear in its parameters.
    /// <paramref name="curvatureSampleRows"/> is the size of the curvature sub-sample (see <see cref="CurvatureSampleRows"/>).
    /// </summary>
    public InfluenceProblem(
        LinearStack stack,
        Tensor trainInputs,
        Tensor trainLabels,
        double damping,
        bool closedFormOutputLayer = true,
        CurvatureKind curvature = CurvatureKind.Hessian,
        int curvatureSampleRows = CurvatureSampleRows)
    {
        _stack = stack;
        Damping = damping;
        TrainCount = trainInputs.shape[0];
        CurvatureCount = Math.Min(TrainCount, curvatureSampleRows);
        bool outputLayerOnly = stack.Chosen is [var last] && last == stack.LayerCount - 1;
        Curvature = curvature switch
        {
            CurvatureKind.Auto => outputLayerOnly ? CurvatureKind.Hessian : CurvatureKind.GaussNewton,
            _ => curvature,
        };

        // The gradient keeps its autograd graph (create_graph), so the intermediate handles can be disposed:
        // libtorch's graph holds its own references to what the second derivative needs.
        using var scope = NewDisposeScope();
        var curvatureInputs = trainInputs;
        var curvatureLabels = trainLabels;
        if (CurvatureCount < TrainCount)
        {
            _allInputs = trainInputs;
            _allLabels = trainLabels.to(float64).MoveToOuterDisposeScope();
            var sample = SampleRows(TrainCount, CurvatureCount);
            curvatureInputs = trainInputs.index_select(0, sample);
            curvatureLabels = trainLabels.index_select(0, sample);
        }

        _trainPrefix = stack.Prefix(curvatureInputs).MoveToOuterDisposeScope();
        _trainLabels = curvatureLabels.to(float64).MoveToOuterDisposeScope();
        if (closedFormOutputLayer && outputLayerOnly)
        {
            var probabilities = stack.Logits(_trainPrefix).detach().sigmoid();
            var weights = LossCurvatureWeights(probabilities, CurvatureCount);
            _outputLayerHessian = WeightedGramWithBias(_trainPrefix, weights).MoveToOuterDisposeScope();
            _gradient = _allInputs is null
                ? DivideByTrainCount(TransposedWithBias(_trainPrefix, probabilities - _trainLabels)).MoveToOuterDisposeScope()
                : MeanGradientOfAllRows(CancellationToken.None).MoveToOuterDisposeScope();
            return;
        }

        if (Curvature == CurvatureKind.GaussNewton)
        {
            var trainLogits = stack.Logits(_trainPrefix);
            var probabilities = trainLogits.detach().sigmoid();
            _gaussNewton = new GaussNewtonFactors(stack, _trainPrefix, LossCurvatureWeights(probabilities, CurvatureCount));
            if (_allInputs is null)
            {
                var meanLoss = nn.functional.binary_cross_entropy_with_logits(trainLogits, _trainLabels);
                _gradient = LinearStack.Flatten(autograd.grad([meanLoss], stack.Parameters)).detach().MoveToOuterDisposeScope();
            }
            else
            {
                _gradient = MeanGradientOfAllRows(CancellationToken.None).MoveToOuterDisposeScope();
            }

            return;
        }

        // The exact Hessian's products differentiate this gradient, so it is taken over the curvature rows, with its graph.
        var loss = nn.functional.binary_cross_entropy_with_logits(stack.Logits(_trainPrefix), _trainLabels);
        var gradients = autograd.grad([loss], stack.Parameters, retain_graph: true, create_graph: true);
        _gradient = LinearStack.Flatten(gradients).MoveToOuterDisposeScope();
        if (_allInputs is not null)
            _meanGradient = MeanGradientOfAllRows(CancellationToken.None).MoveToOuterDisposeScope();
    }


    /// <summary>Rows the curvature is computed on: every training row, or the sub-sample's rows.</summary>
    public long CurvatureCount { get; }

    /// <summary>Draws <paramref name="count"/> distinct row positions of <paramref name="rows"/> with <see cref="CurvatureSampleSeed"/>, ascending.</summary>
    internal static Tensor SampleRows(long rows, long count)
    {
        var random = new Random(CurvatureSampleSeed);
        var positions = new long[rows];
        for (long i = 0; i < rows; i++)
            positions[i] = i;

        // A partial Fisher-Yates shuffle: the first count positions end up a uniform sample without replacement.
        for (long i = 0; i < count; i++)
        {
            long j = random.NextInt64(i, rows);
            (positions[i], positions[j]) = (positions[j], positions[i]);
        }

        var sample = positions[..(int)count];
        Array.Sort(sample);
        return tensor(sample);
    }

    private Tensor MeanGradientOfAllRows(CancellationToken cancellationToken) =>
        DivideByTrainCount(SumOfGradients(_allInputs!, _allLabels!, cancellationToken));

    private Tensor DivideByTrainCount(Tensor sum)
    {
        using var trainCount = TrainCount.ToScalar();
        return sum.div_(trainCount);
    }

    /// <summary>
    /// Returns p (1 - p) / rows, each row's weight in the curvature of the mean logistic loss over
    /// <paramref name="rows"/> rows, for predicted probabilities p.
    /// </summary>
    internal static Tensor LossCurvatureWeights(Tensor probabilities, double rows)
    {
        using var rowCount = rows.ToScalar();
        return probabilities.mul(ones_like(probabilities).sub_(probabilities)).div_(rowCount);
    }

    /// <summary>Damping lambda added to the curvature's diagonal; a host may change it between solves.</summary>
    public double Damping { get; set; }

    /// <summary>The curvature in use: <see cref="CurvatureKind.Hessian"/> or <see cref="CurvatureKind.GaussNewton"/>.</summary>
    public CurvatureKind Curvature { get; }

    public long TrainCount { get; }

    public LinearStack Stack => _stack;

    /// <summary>
    /// Returns the inputs of the first chosen layer for every training row, float64, or null when the curvature uses a
    /// sub-sample and so holds only the sample's. The problem owns the tensor.
    /// </summary>
    public Tensor? TrainPrefix => _allInputs is null ? _trainPrefix : null;

    /// <summary>Gradient of the mean training loss over the chosen parameters, flat.</summary>
    public Tensor Gradient => (_meanGradient ?? _gradient).detach();

    /// <summary>
    /// Returns H v, where H is the curvature of the mean training loss over the chosen layers. It is the
    /// Hessian, or the Gauss-Newton matrix when <see cref="Curvature"/> is <see cref="CurvatureKind.GaussNewton"/>.
    /// </summary>
    public Tensor HessianVectorProduct(Tensor vector)
    {
        if (_outputLayerHessian is not null)
            return _outputLayerHessian.matmul(vector);

        if (_gaussNewton is not null)
            return _gaussNewton.Product(vector);

        using var scope = NewDisposeScope();
        var product = autograd.grad([_gradient.dot(vector)], _stack.Parameters, retain_graph: true);
        return LinearStack.Flatten(product).detach().MoveToOuterDisposeScope();
    }

    /// <summary>Returns (H + lambda I) v.</summary>
    public Tensor DampedProduct(Tensor vector)
    {
        using var scope = NewDisposeScope();
        using var damping = Damping.ToScalar();
        var product = HessianVectorProduct(vector);
        return product.add_(vector, damping).MoveToOuterDisposeScope();
    }

    /// <summary>Relative residual at which <see cref="Solve"/> stops when the caller gives no tolerance.</summary>
    public const double DefaultTolerance = 1e-10;

    /// <summary>
    /// True when a curvature product is one small matrix product (the output layer alone, in closed form), so that
    /// a solve to <see cref="DefaultTolerance"/> costs next to nothing.
    /// </summary>
    public bool HasExplicitCurvature => _outputLayerHessian is not null;

    /// <summary>
    /// Solves (H + lambda I) x = b by conjugate gradients to a relative residual of <paramref name="tolerance"/>.
    /// Without damping, a singular Hessian is rejected: explicitly for up to <see cref="ExplicitCheckLimit"/>
    /// parameters, and otherwise when conjugate gradients meet a direction without positive curvature.
    /// </summary>
    public SolveResult Solve(Tensor b, CancellationToken cancellationToken, double tolerance = DefaultTolerance)
    {
        if (Damping == 0 && _stack.ParameterCount <= ExplicitCheckLimit)
            RejectSingularHessian(cancellationToken);

        int maxIterations = (int)Math.Min(Math.Max(100, 4 * _stack.ParameterCount), 2000);
        return ConjugateGradient.Solve(DampedProduct, b.to(float64), tolerance, maxIterations, cancellationToken);
    }

    /// <summary>
    /// Returns the Gauss-Newton product on the curvature rows by forward tangents and an autograd backward pass, the
    /// construction that <see cref="GaussNewtonFactors"/> replaces; kept to check it.
    /// </summary>
    internal Tensor AutogradCurvatureProduct(Tensor vector) => CurvatureProduct(_trainPrefix, _trainLabels, vector);

    /// <summary>
    /// Solves (H + lambda I) x = b approximately by LiSSA (Agarwal, Bullins and Hazan 2017): the Neumann
    /// series x_j = b + x_(j-1) - (H_batch + lambda I) x_(j-1) / scale on seeded mini-batches of training rows,
    /// x = x_depth / scale, averaged over <paramref name="repeats"/> runs. Batches are drawn with replacement, and
    /// a <paramref name="batchSize"/> of at least the row count uses every row in each term, in one run. The scale
    /// is 1.5 times the largest eigenvalue of H + lambda I estimated by 30 power iterations, so the series
    /// converges. The error after depth terms shrinks like (1 - lambda_min / scale)^depth. The residual reported
    /// is the true one on all rows.
    /// </summary>
    public SolveResult SolveLissa(Tensor b, int batchSize, int depth, int repeats, int seed, CancellationToken cancellationToken) =>
        SolveLissa(b, batchSize, depth, repeats, seed, LissaScale(seed, cancellationToken), cancellationToken);

    /// <summary>
    /// Returns the LiSSA scale: 1.5 times the largest eigenvalue of H + lambda I, estimated by 30 power iterations
    /// from a vector drawn with <paramref name="seed"/>.
    /// </summary>
    public double LissaScale(int seed, CancellationToken cancellationToken) => 1.5 * LargestEigenvalue(30, seed, cancellationToken);

    /// <summary>
    /// Returns the series depth at which the LiSSA error bound (1 - lambda / scale)^depth falls to
    /// <paramref name="tolerance"/>. The bound holds when H is positive semi-definite (always for the Gauss-Newton
    /// matrix), because then every eigenvalue of (H + lambda I) / scale lies in [lambda / scale, 1/1.5].
    /// Returns <see cref="int.MaxValue"/> without damping.
    /// </summary>
    public static int LissaDepth(double damping, double scale, double tolerance)
    {
        if (damping <= 0)
            return int.MaxValue;

        double depth = Math.Ceiling(Math.Log(tolerance) / Math.Log(1 - damping / scale));
        return depth >= int.MaxValue ? int.MaxValue : Math.Max(1, (int)depth);
    }

    /// <summary>As <see cref="SolveLissa(Tensor, int, int, int, int, CancellationToken)"/>, with a known <paramref name="scale"/>.</summary>
    public SolveResult SolveLissa(Tensor b, int batchSize, int depth, int repeats, int seed, double scale, CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        using var damping = Damping.ToScalar();
        using var scaleScalar = scale.ToScalar();
        var target = b.to(float64);
        // Batches come from System.Random rather than a torch generator, so that they depend on the seed alone.
        var random = new Random(seed);
        long rows = _trainPrefix.shape[0];
        long batch = Math.Min(batchSize, rows);

        // A batch as large as the data is the data itself: the series is then exact and deterministic, so one
        // run is enough and repeating it would change nothing.
        bool fullBatch = batchSize >= rows;
        if (fullBatch)
            repeats = 1;

        var sum = zeros_like(target);
        for (int repeat = 0; repeat < repeats; repeat++)
        {
            var estimate = target.clone();
            for (int j = 0; j < depth; j++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var step = NewDisposeScope();
                Tensor product;
                if (fullBatch)
                {
                    product = DampedProduct(estimate);
                }
                else
                {
                    var positions = tensor(Enumerable.Range(0, (int)batch).Select(_ => random.NextInt64(rows)).ToArray());
                    product = CurvatureProduct(_trainPrefix.index_select(0, positions), _trainLabels.index_select(0, positions), estimate);
                    product.add_(estimate, damping);
                }

                estimate.add_(target, Scalars.One).sub_(product.div_(scaleScalar));
            }

            sum.add_(estimate.div(scaleScalar), Scalars.One);
        }

        using var repeatCount = repeats.ToScalar();
        var solution = sum.div_(repeatCount);
        double bNorm = target.norm().item<double>();
        double residual = bNorm == 0 ? 0 : (target - DampedProduct(solution)).norm().item<double>() / bNorm;
        return new SolveResult(solution.MoveToOuterDisposeScope(), depth * repeats, residual);
    }

    /// <summary>Estimates the largest eigenvalue of H + lambda I by power iteration from a seeded random vector.</summary>
    private double LargestEigenvalue(int iterations, int seed, CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed + 1);
        var vector = tensor(Enumerable.Range(0, (int)_stack.ParameterCount).Select(_ => random.NextDouble() - 0.5).ToArray());
        vector.div_(vector.norm());
        double eigenvalue = Damping;
        for (int i = 0; i < iterations; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var product = DampedProduct(vector);
            eigenvalue = vector.dot(product).item<double>();
            double norm = product.norm().item<double>();
            if (norm == 0)
                break;
            using var normScalar = norm.ToScalar();
            vector = product.div_(normScalar);
        }

        return Math.Max(eigenvalue, Damping) + 1e-12;
    }

    /// <summary>
    /// Returns the curvature product H_rows v of the mean loss over the given rows (by their prefix
    /// activations), with the same curvature as <see cref="HessianVectorProduct"/>.
    /// </summary>
    private Tensor CurvatureProduct(Tensor prefix, Tensor labels, Tensor vector)
    {
        using var scope = NewDisposeScope();
        double rows = prefix.shape[0];
        if (_outputLayerHessian is not null)
        {
            var features = WithBiasColumn(prefix);
            var probabilities = _stack.Logits(prefix).detach().sigmoid();
            var weights = LossCurvatureWeights(probabilities, rows);
            return features.t().matmul(weights * features.matmul(vector)).MoveToOuterDisposeScope();
        }

        if (Curvature == CurvatureKind.GaussNewton)
        {
            var logits = _stack.Logits(prefix);
            var probabilities = logits.detach().sigmoid();
            return GaussNewtonProduct(logits, prefix, LossCurvatureWeights(probabilities, rows), vector).MoveToOuterDisposeScope();
        }

        var loss = nn.functional.binary_cross_entropy_with_logits(_stack.Logits(prefix), labels);
        var gradient = LinearStack.Flatten(autograd.grad([loss], _stack.Parameters, create_graph: true));
        var product = autograd.grad([gradient.dot(vector)], _stack.Parameters);
        return LinearStack.Flatten(product).detach().MoveToOuterDisposeScope();
    }

    /// <summary>Returns J^T diag(weights) J v, with J v by forward tangents and J^T u by one backward pass.</summary>
    private Tensor GaussNewtonProduct(Tensor logits, Tensor prefix, Tensor weights, Tensor vector)
    {
        using var scope = NewDisposeScope();
        var tangent = _stack.JacobianVectorProduct(prefix, vector);
        var product = autograd.grad([logits], _stack.Parameters, [tangent.mul_(weights)], retain_graph: true);
        return LinearStack.Flatten(product).detach().MoveToOuterDisposeScope();
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
        var eigenvalues = linalg.eigvalsh(hessian.add(hessian.t(), Scalars.One).div_(Scalars.Two));
        double smallest = eigenvalues.min().item<double>();
        double largest = eigenvalues.abs().max().item<double>();
        if (smallest <= 1e-10 * Math.Max(largest, double.Epsilon))
        {
            throw EngineException.Precondition("damping",
                $"At damping 0 the Hessian is singular or indefinite (smallest eigenvalue {smallest:G3}, largest {largest:G3}); "
                + "set a damping lambda > 0, or leave it unset so that the damping rule chooses one.", "0");
        }
    }

    /// <summary>
    /// Returns the per-sample gradients of the loss, [rows, parameters], for rows given by their model inputs.
    /// One backward pass yields every row's gradient with respect to each chosen layer's output. The weight
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
    /// gradient is <paramref name="solvedObjectiveGradient"/> = (H + lambda I)^-1 grad B. The rows pass through
    /// the layers before the chosen ones <see cref="LinearStack.PrefixChunkRows"/> at a time, so their activations
    /// are never held all at once.
    /// </summary>
    public double[] Scores(Tensor inputs, Tensor labels, Tensor solvedObjectiveGradient, CancellationToken cancellationToken)
    {
        long rows = inputs.shape[0];
        var scores = new double[rows];
        for (long start = 0; start < rows; start += LinearStack.PrefixChunkRows)
        {
            long count = Math.Min(LinearStack.PrefixChunkRows, rows - start);
            using var prefix = _stack.Prefix(inputs.narrow(0, start, count));
            using var chunkLabels = labels.narrow(0, start, count);
            ScoresFromPrefix(prefix, chunkLabels, solvedObjectiveGradient, cancellationToken).CopyTo(scores, start);
        }

        return scores;
    }

    /// <summary>
    /// Returns the influence scores of every training row, reusing the cached layer inputs, or, when the curvature
    /// uses a sub-sample, computing each chunk's layer inputs in turn.
    /// </summary>
    public double[] TrainScores(Tensor solvedObjectiveGradient, CancellationToken cancellationToken) =>
        _allInputs is null
            ? ScoresFromPrefix(_trainPrefix, _trainLabels, solvedObjectiveGradient, cancellationToken)
            : Scores(_allInputs, _allLabels!, solvedObjectiveGradient, cancellationToken);

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
            var projected = prefix.matmul(solved.narrow(0, 0, width)).add_(solved[width], Scalars.One);
            return (residuals * projected).neg().data<double>().ToArray();
        }

        // grad L(z) = (p - y) J_z, with J_z the logit's gradient, so v^T grad L(z) = (p - y) (J_z v). One forward
        // tangent pass gives J v for every row, with no [rows, parameters] matrix of per-sample gradients.
        long rows = prefix.shape[0];
        var scores = new double[rows];
        for (long start = 0; start < rows; start += ScoreChunkRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            long count = Math.Min(ScoreChunkRows, rows - start);
            var rowsPrefix = prefix.narrow(0, start, count);
            using var noGrad = no_grad();
            var residuals = _stack.Logits(rowsPrefix).sigmoid() - labels.narrow(0, start, count).to(float64);
            var directional = _stack.JacobianVectorProduct(rowsPrefix, solved);
            (residuals * directional).neg().data<double>().CopyTo(scores, (int)start);
        }

        return scores;
    }

    /// <summary>Rows per chunk of the scoring and gradient-sum passes, which bounds their memory.</summary>
    private const long ScoreChunkRows = 65_536;

    /// <summary>Returns the sum of the per-sample loss gradients of the given rows, by one backward pass per chunk.</summary>
    public Tensor SumOfGradients(Tensor inputs, Tensor labels, CancellationToken cancellationToken)
    {
        long rows = inputs.shape[0];
        var sum = zeros(_stack.ParameterCount, float64);
        for (long start = 0; start < rows; start += ScoreChunkRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            long count = Math.Min(ScoreChunkRows, rows - start);
            var prefix = _stack.Prefix(inputs.narrow(0, start, count));
            var loss = nn.functional.binary_cross_entropy_with_logits(
                _stack.Logits(prefix), labels.narrow(0, start, count).to(float64), reduction: nn.Reduction.Sum);
            sum.add_(LinearStack.Flatten(autograd.grad([loss], _stack.Parameters)).detach(), Scalars.One);
        }

        return sum;
    }

    private static Tensor WithBiasColumn(Tensor inputs) =>
        cat([inputs, ones(inputs.shape[0], 1, float64)], 1);

    /// <summary>
    /// Returns [x, 1]^T diag(w) [x, 1] for rows x and row weights w, by blocks (x^T diag(w) x, x^T w and the sum of
    /// w) and by chunks of <see cref="LinearStack.PrefixChunkRows"/> rows. Unlike the product of the full matrices,
    /// it allocates no copy of the rows.
    /// </summary>
    private static Tensor WeightedGramWithBias(Tensor rows, Tensor weights)
    {
        using var scope = NewDisposeScope();
        long width = rows.shape[1];
        var gram = zeros(width, width, float64);
        for (long start = 0; start < rows.shape[0]; start += LinearStack.PrefixChunkRows)
        {
            using var chunkScope = NewDisposeScope();
            long count = Math.Min(LinearStack.PrefixChunkRows, rows.shape[0] - start);
            var chunk = rows.narrow(0, start, count);
            gram.addmm_(chunk.t(), chunk * weights.narrow(0, start, count).unsqueeze(1));
        }

        var cross = rows.t().matmul(weights).unsqueeze(1);
        var top = cat([gram, cross], 1);
        var bottom = cat([cross.t(), weights.sum().reshape(1, 1)], 1);
        return cat([top, bottom], 0).MoveToOuterDisposeScope();
    }

    /// <summary>Returns [x, 1]^T u for rows x and one value u per row.</summary>
    private static Tensor TransposedWithBias(Tensor rows, Tensor rowValues)
    {
        using var scope = NewDisposeScope();
        return cat([rows.t().matmul(rowValues), rowValues.sum().reshape(1)], 0).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _outputLayerHessian?.Dispose();
        _gaussNewton?.Dispose();
        _gradient.Dispose();
        _meanGradient?.Dispose();
        _allLabels?.Dispose();
        _trainPrefix.Dispose();
        _trainLabels.Dispose();
    }
}
