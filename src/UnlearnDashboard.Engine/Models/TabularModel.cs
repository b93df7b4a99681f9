using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Models;

/// <summary>
/// A stack of linear layers named <c>fc1..fcN</c> with ReLU between them, ending in one logit per row.
/// Logistic regression is the case N = 1.
/// </summary>
public sealed class TabularModel : nn.Module<Tensor, Tensor>
{
    private static long s_parametersCreated;

    private readonly List<Linear> _layers = [];

    public TabularModel(int inputCount, IReadOnlyList<int> hidden)
        : base(nameof(TabularModel))
    {
        int width = inputCount;
        foreach (int next in hidden.Append(1))
        {
            var layer = nn.Linear(width, next, hasBias: true, dtype: float32);
            Interlocked.Add(ref s_parametersCreated, 2);
            _layers.Add(layer);
            register_module($"fc{_layers.Count}", layer);
            width = next;
        }

        InputCount = inputCount;
    }

    /// <summary>
    /// Parameters (a weight and a bias per layer) that every model built in this process has created. Each takes
    /// over the handle of a tensor that TorchSharp's <c>Tensor.TotalCount</c> then never counts down, so
    /// <see cref="LiveTensors"/> subtracts them.
    /// </summary>
    public static long ParametersCreated => Interlocked.Read(ref s_parametersCreated);

    /// <summary>
    /// TorchSharp tensors alive in this process: <c>Tensor.TotalCount</c> (created minus disposed) without the
    /// source tensors of the parameters models have created, which TorchSharp leaves in that count.
    /// </summary>
    public static long LiveTensors => torch.Tensor.TotalCount - ParametersCreated;

    public int InputCount { get; }

    public IReadOnlyList<Linear> Layers => _layers;

    /// <summary>Layer names in order: fc1, fc2, ...</summary>
    public IReadOnlyList<string> LayerNames => Enumerable.Range(1, _layers.Count).Select(i => $"fc{i}").ToList();

    /// <summary>Returns the logits, shape [rows].</summary>
    public override Tensor forward(Tensor input) => ForwardFrom(0, input);

    /// <summary>Returns the logits, shape [rows], from the inputs <paramref name="hidden"/> of layer <paramref name="firstLayer"/> (0-based).</summary>
    public Tensor ForwardFrom(int firstLayer, Tensor hidden)
    {
        using var scope = NewDisposeScope();
        for (int i = firstLayer; i < _layers.Count - 1; i++)
            hidden = nn.functional.relu(_layers[i].forward(hidden));
        return _layers[^1].forward(hidden).squeeze(-1).MoveToOuterDisposeScope();
    }

    /// <summary>Returns the 0-based position of a layer name, or throws naming the known layers.</summary>
    public int IndexOfLayer(string name)
    {
        int index = LayerNames.ToList().IndexOf(name);
        if (index < 0)
            throw EngineException.Invalid("layers", $"Unknown layer '{name}'; this model has {string.Join(", ", LayerNames)}.", name);
        return index;
    }
}
