namespace UnlearnDashboard.Engine.Unlearning;

/// <summary>
/// Change of one layer's weights and bias: the L2 norm of the difference and that norm over the L2 norm of
/// the original parameters (0 for a layer left unchanged).
/// </summary>
public sealed record LayerChange(string Layer, double DeltaNorm, double RelativeChange);
