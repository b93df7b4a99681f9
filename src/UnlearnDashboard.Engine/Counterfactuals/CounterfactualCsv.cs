namespace UnlearnDashboard.Engine.Counterfactuals;

/// <summary>The CSV form of a <see cref="CounterfactualSet"/>; see <see cref="CounterfactualSet.WriteCsv"/>.</summary>
internal static class CounterfactualCsv
{
    public static void Write(CounterfactualSet set, Stream destination) => throw new NotImplementedException();

    public static CounterfactualSet Read(Stream source, string sensitiveColumn, string sourceName) => throw new NotImplementedException();
}
