using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>Dataset specs of the shipped CSV files, with a chosen name.</summary>
internal static class DatasetSpecs
{
    public static DatasetSpec Adult(string name) => new()
    {
        Name = name,
        LabelColumn = "income",
        FavourableLabel = ">50K",
        SensitiveColumn = "sex",
        ReferenceGroup = "Male",
        ValidationFraction = 0.1,
    };
}
