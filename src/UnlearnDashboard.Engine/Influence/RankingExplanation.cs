namespace UnlearnDashboard.Engine.Influence;

/// <summary>One harmful training sample: its row id, influence score and raw feature values by column.</summary>
public sealed record HarmfulSample(long RowId, double Score, string Group, float Label, IReadOnlyDictionary<string, string> Features);

/// <summary>How many of the harmful samples fall in one (group, label) cell, next to the cell's size in training.</summary>
public sealed record HarmfulCell(string Group, float Label, int HarmfulCount, int TrainCount);

/// <summary>What the influence ranking found: the top harmful samples and the harmful set by group and label.</summary>
public sealed record RankingExplanation(IReadOnlyList<HarmfulSample> TopHarmful, IReadOnlyList<HarmfulCell> Breakdown);

/// <summary>
/// Bias attribution of one layer for automatic layer choice: ||grad B|| over the layer's parameters, the
/// layer's mean curvature (the mean of its Gauss-Newton diagonal), and the score used, the layer's between-group
/// gain (see <c>LayerAttributor</c>).
/// </summary>
public sealed record LayerAttribution(string Layer, double GradientNorm, double MeanCurvature, double Score, bool Chosen);
