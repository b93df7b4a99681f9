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
    private readonly List<Linear> _layers = [];

    public TabularModel(int inputCount, IReadOnlyList<int> hidden)
        : base(nameof(TabularModel))
    {
        int width = inputCount;
        foreach (int next in hidden.Append(1))
        {
            var layer = nn.Linear(width, next, hasBias: true, dtype: float32);
            _layers.Add(layer);
            register_module($"fc{_layers.Count}", layer);
            width = next;
        }

        InputCount = inputCount;
    }

    public int InputCount { get; }

    public IReadOnlyList<Linear> Layers => _layers;

    /// <summary>Layer names in order: fc1, fc2, ...</summary>
    public IReadOnlyList<string> LayerNames => Enumerable.Range(1, _layers.Count).Select(i => $"fc{i}").ToList();

    /// <summary>Returns the logits, shape [rows].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var hidden = input;
        for (int i = 0; i < _layers.Count - 1; i++)
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
