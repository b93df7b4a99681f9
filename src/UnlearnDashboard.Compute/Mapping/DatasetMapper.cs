using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Engine;
using UnlearnDashboard.Engine.Data;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Mapping;

/// <summary>Maps dataset specs and rows between proto, engine and storage.</summary>
internal static partial class DatasetMapper
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        Converters = { new JsonStringEnumConverter() },
    };

    // The first character is a letter or digit, so that "." and ".." are never names.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex NamePattern();

    /// <summary>The rule for dataset and model names, as error messages state it.</summary>
    public const string NameRule = "use 1 to 128 letters, digits, '-', '_' or '.', starting with a letter or digit";

    /// <summary>Returns whether a dataset or model name follows <see cref="NameRule"/>.</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>Checks a proto spec and converts it; errors name the proto field under <c>spec.</c>.</summary>
    public static DatasetDefinition ToDefinition(this Proto.DatasetSpec? spec)
    {
        if (spec is null)
            throw EngineException.Invalid("spec", "spec is missing; send the dataset spec with the name and the columns.");
        if (!NamePattern().IsMatch(spec.Name))
        {
            throw EngineException.Invalid("spec.name",
                $"spec.name '{spec.Name}' is invalid; {NameRule}.", spec.Name);
        }

        RequireText(spec.LabelColumn, "spec.label_column");
        RequireText(spec.SensitiveColumn, "spec.sensitive_column");

        RequireOneValidationRule(spec);
        var defaults = new DatasetDefinition { Name = "", LabelColumn = "", FavourableLabel = "", SensitiveColumn = "" };
        return new DatasetDefinition
        {
            Name = spec.Name,
            LabelColumn = spec.LabelColumn,
            FavourableLabel = spec.FavourableLabel,
            SensitiveColumn = spec.SensitiveColumn,
            ReferenceGroup = string.IsNullOrWhiteSpace(spec.ReferenceGroup) ? null : spec.ReferenceGroup,
            MissingLabel = ToPolicy(spec.MissingLabel, "spec.missing_label"),
            MissingSensitive = ToPolicy(spec.MissingSensitive, "spec.missing_sensitive"),
            ValidationFraction = spec.HasValidationFraction
                ? ToFraction(spec.ValidationFraction, "spec.validation_fraction")
                : defaults.ValidationFraction,
            TestFraction = spec.HasTestFraction
                ? ToFraction(spec.TestFraction, "spec.test_fraction")
                : defaults.TestFraction,
            SplitSeed = (int)spec.SplitSeed,
            DerivedColumns = spec.DerivedColumns.Select((column, i) => ToDerivedColumn(column, $"spec.derived_columns[{i}]")).ToList(),
            ValidationRecords = ToValidationRecords(spec.ValidationRecords),
        };
    }

    private static void RequireOneValidationRule(Proto.DatasetSpec spec)
    {
        if (spec.HasValidationFraction && spec.ValidationRecords.Count > 0)
        {
            throw EngineException.Invalid("spec.validation_fraction",
                $"spec.validation_fraction ({spec.ValidationFraction.ToString("R", CultureInfo.InvariantCulture)}) and spec.validation_records "
                + $"({spec.ValidationRecords.Count} records) both choose the validation split; set one of them.",
                spec.ValidationFraction.ToString("R", CultureInfo.InvariantCulture));
        }
    }

    private static List<int>? ToValidationRecords(IReadOnlyList<int> records)
    {
        if (records.Count == 0)
            return null;

        var seen = new HashSet<int>();
        foreach (var (record, i) in records.Select((record, i) => (record, i)))
        {
            if (record < 0)
            {
                throw EngineException.Invalid($"spec.validation_records[{i}]",
                    $"spec.validation_records[{i}] is {record}; record positions start at 0.", record.ToString(CultureInfo.InvariantCulture));
            }

            if (!seen.Add(record))
            {
                throw EngineException.Invalid($"spec.validation_records[{i}]",
                    $"spec.validation_records[{i}] repeats record {record}; name each record once.", record.ToString(CultureInfo.InvariantCulture));
            }
        }

        return records.Order().ToList();
    }

    private static DerivedColumn ToDerivedColumn(Proto.DerivedColumn column, string field)
    {
        RequireText(column.Name, $"{field}.name");
        RequireText(column.SourceColumn, $"{field}.source_column");
        if (column.Values.Count == 0)
            throw EngineException.Invalid($"{field}.values", $"{field}.values is empty; map at least one value of {column.SourceColumn}.");

        return new DerivedColumn(column.Name, column.SourceColumn, new Dictionary<string, string>(column.Values),
            string.IsNullOrEmpty(column.OtherValue) ? null : column.OtherValue);
    }

    /// <summary>
    /// Returns the definition as a spec. A definition that names its validation records leaves the validation fraction
    /// unset, because the records, not a fraction, make the split.
    /// </summary>
    public static Proto.DatasetSpec ToSpec(this DatasetDefinition definition)
    {
        var spec = ToSpecWithFraction(definition);
        if (definition.ValidationRecords is not null)
            spec.ClearValidationFraction();
        return spec;
    }

    private static Proto.DatasetSpec ToSpecWithFraction(DatasetDefinition definition) => new()
    {
        Name = definition.Name,
        LabelColumn = definition.LabelColumn,
        FavourableLabel = definition.FavourableLabel,
        SensitiveColumn = definition.SensitiveColumn,
        ReferenceGroup = definition.ReferenceGroup ?? "",
        MissingLabel = definition.MissingLabel == MissingValuePolicy.Exclude
            ? Proto.MissingValuePolicy.Exclude
            : Proto.MissingValuePolicy.Reject,
        MissingSensitive = definition.MissingSensitive == MissingValuePolicy.Exclude
            ? Proto.MissingValuePolicy.Exclude
            : Proto.MissingValuePolicy.Reject,
        ValidationFraction = definition.ValidationFraction,
        TestFraction = definition.TestFraction,
        SplitSeed = (uint)definition.SplitSeed,
        DerivedColumns =
        {
            definition.DerivedColumns.Select(column => new Proto.DerivedColumn
            {
                Name = column.Name,
                SourceColumn = column.SourceColumn,
                Values = { new Dictionary<string, string>(column.ValueMap) },
                OtherValue = column.OtherValue ?? "",
            }),
        },
        ValidationRecords = { definition.ValidationRecords ?? [] },
    };

    public static string ToJson(this DatasetDefinition definition) => JsonSerializer.Serialize(definition, JsonOptions);

    public static DatasetDefinition DefinitionFromJson(string json) =>
        JsonSerializer.Deserialize<DatasetDefinition>(json, JsonOptions)
        ?? throw new EngineException(EngineErrorKind.DataLoss, "spec", "The stored dataset definition is empty.");

    public static Proto.Dataset ToProto(this DatasetRow row)
    {
        var dataset = new Proto.Dataset
        {
            Id = row.Id,
            Spec = DefinitionFromJson(row.DefinitionJson).ToSpec(),
            CreatedAt = row.CreatedAt.ToTimestamp(),
            TrainSha256 = row.TrainSha256,
            TestSha256 = row.TestSha256 ?? "",
            TrainRows = row.TrainRows,
            ValidationRows = row.ValidationRows,
            TestRows = row.TestRows,
            DroppedRows = row.DroppedRows,
            ExcludedRows = row.ExcludedRows,
            FeatureCount = row.FeatureCount,
            DefaultModelVersionId = row.DefaultModelVersionId ?? "",
        };
        dataset.Groups.AddRange(JsonSerializer.Deserialize<string[]>(row.GroupsJson) ?? []);
        return dataset;
    }

    /// <summary>Converts a stored UTC time to a timestamp; the database may return it without its kind.</summary>
    public static Timestamp ToTimestamp(this DateTime utc) =>
        Timestamp.FromDateTime(DateTime.SpecifyKind(utc, DateTimeKind.Utc));

    private static void RequireText(string value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw EngineException.Invalid(field, $"{field} is empty; set it in the dataset spec.", value);
    }

    private static MissingValuePolicy ToPolicy(Proto.MissingValuePolicy policy, string field) => policy switch
    {
        Proto.MissingValuePolicy.Reject => MissingValuePolicy.Reject,
        Proto.MissingValuePolicy.Exclude => MissingValuePolicy.Exclude,
        _ => throw EngineException.Invalid(field,
            $"{field} {(int)policy} is unknown; use MISSING_VALUE_POLICY_REJECT or MISSING_VALUE_POLICY_EXCLUDE.",
            policy.ToString()),
    };

    private static double ToFraction(double value, string field)
    {
        if (!(value >= 0 && value < 1))
        {
            throw EngineException.Invalid(field,
                $"{field} must be in [0, 1); got {value:R}. Pass a share such as 0.1, or leave it unset for the default.",
                value.ToString("R"));
        }

        return value;
    }
}
