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

    /// <summary>German Credit by sex, derived from <c>personal_status_sex</c> as the demo profile derives it.</summary>
    public static DatasetSpec GermanCreditBySex(string name)
    {
        var spec = GermanCreditByForeignWorker(name);
        spec.SensitiveColumn = "sex";
        var sex = new DerivedColumn { Name = "sex", SourceColumn = "personal_status_sex" };
        sex.Values.Add(new Dictionary<string, string> { ["A91"] = "male", ["A92"] = "female", ["A93"] = "male", ["A94"] = "male", ["A95"] = "female" });
        spec.DerivedColumns.Add(sex);
        return spec;
    }
}
