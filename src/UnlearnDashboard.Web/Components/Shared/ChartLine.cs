namespace UnlearnDashboard.Web.Components.Shared;

/// <summary>One series of a <see cref="SeriesChart"/>: a value per x position, null where the value is missing or undefined.</summary>
public sealed record ChartLine(string Name, IReadOnlyList<double?> Values);
