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

    /// <summary>
    /// German Credit with foreign_worker, a column of the file, as the sensitive column, so the tests need
    /// no derived column.
    /// </summary>
    public static DatasetSpec GermanCreditByForeignWorker(string name) => new()
    {
        Name = name,
        LabelColumn = "credit_risk",
        FavourableLabel = "1",
        SensitiveColumn = "foreign_worker",
        ValidationFraction = 0.2,
        TestFraction = 0.2,
    };
}
