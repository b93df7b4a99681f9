using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Models;

namespace UnlearnDashboard.Engine.Interop;

/// <summary>
/// The JSON spec that travels with imported and exported weights: the architecture, the hidden widths and
/// the preprocessing that turns a raw row into the network's inputs. The inputs are the preprocessing
/// columns in order: a numeric column gives (value - mean) / std, a categorical column one 0/1 input per
/// category in the listed order, and a value that is not listed encodes as all zeros. The layers are
/// <c>fc1..fcN</c>, each <c>weight</c> [outputs, inputs] and <c>bias</c> [outputs], with ReLU between them
/// and one logit out; sigmoid of the logit is the probability of the favourable label.
/// </summary>
public sealed record InteropSpec
{
    /// <summary>Value of <see cref="Format"/>.</summary>
    public const string FormatName = "unlearn-dashboard/tabular-mlp";

    /// <summary>Name of the file format, <see cref="FormatName"/>; optional on import.</summary>
    [JsonPropertyName("format")]
    public string? Format { get; init; }

    /// <summary>Version of the format; 1, the only one, when absent.</summary>
    [JsonPropertyName("format_version")]
    public int? FormatVersion { get; init; }

    /// <summary>"mlp" (the default) or "logistic-regression", which has no hidden layers.</summary>
    [JsonPropertyName("architecture")]
    public string? Architecture { get; init; }

    /// <summary>Activation between linear layers; only "relu" (the default) is supported.</summary>
    [JsonPropertyName("activation")]
    public string? Activation { get; init; }

    /// <summary>Widths of the hidden layers, for example [64, 32].</summary>
    [JsonPropertyName("hidden")]
    public IReadOnlyList<int> Hidden { get; init; } = [];

    /// <summary>Column that defines the groups; must be the dataset's sensitive column when given.</summary>
    [JsonPropertyName("sensitive_column")]
    public string? SensitiveColumn { get; init; }

    /// <summary>Label column of the training data; checked against the dataset when given.</summary>
    [JsonPropertyName("label_column")]
    public string? LabelColumn { get; init; }

    /// <summary>Label value whose probability the logit gives; checked against the dataset when given.</summary>
    [JsonPropertyName("favourable_label")]
    public string? FavourableLabel { get; init; }

    [JsonPropertyName("preprocessing")]
    public InteropPreprocessing? Preprocessing { get; init; }

    private static readonly JsonSerializerOptions ReadOptions = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    // The spec is a file for people and Python's json module, not HTML, so '>' in ">50K" stays as written.
    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Number of network inputs that the preprocessing produces.</summary>
    public int InputCount => Columns.Sum(c => c.InputCount);

    private IReadOnlyList<InteropColumn> Columns => Preprocessing?.Columns ?? [];

    /// <summary>Parses and validates a spec, naming the JSON path of the first problem.</summary>
    /// <exception cref="EngineException">Invalid argument on field <c>spec_json</c>.</exception>
    public static InteropSpec Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
            throw Invalid("The model spec is empty. Pass the JSON spec that describes the layers and the preprocessing.", "");

        InteropSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize<InteropSpec>(json, ReadOptions);
        }
        catch (JsonException error)
        {
            throw Invalid($"The model spec is not valid JSON for this format at {error.Path ?? "$"}: {error.Message}", error.Path);
        }

        if (spec is null)
            throw Invalid("The model spec is null. Pass a JSON object.", "null");

        spec.Validate();
        return spec;
    }

    public string ToJson() => JsonSerializer.Serialize(this, WriteOptions);

    /// <summary>Builds the spec of an engine model, with the dataset's label for the reader's benefit.</summary>
    public static InteropSpec FromModelSpec(ModelSpec model, DatasetDefinition? dataset)
    {
        return new InteropSpec
        {
            Format = FormatName,
            FormatVersion = 1,
            Architecture = model.Layers.Count == 1 ? "logistic-regression" : "mlp",
            Activation = "relu",
            Hidden = model.Layers.Take(model.Layers.Count - 1).Select(l => l.Outputs).ToList(),
            SensitiveColumn = model.SensitiveColumn,
            LabelColumn = dataset?.LabelColumn,
            FavourableLabel = dataset?.FavourableLabel,
            Preprocessing = new InteropPreprocessing
            {
                Columns = model.EncoderColumns.Select(c => c.IsNumeric
                    ? new InteropColumn { Name = c.Name, Type = "numeric", Mean = c.Mean, Std = c.Scale }
                    : new InteropColumn { Name = c.Name, Type = "categorical", Categories = c.Levels }).ToList(),
            },
        };
    }

    /// <summary>
    /// Builds the engine's <see cref="ModelSpec"/> for this spec on a dataset, after checking that every
    /// preprocessing column is a feature column of the dataset, numeric where the spec says numeric, and
    /// that the sensitive column, label column and favourable label agree with the dataset.
    /// </summary>
    public ModelSpec ToModelSpec(PreparedDataset data)
    {
        var definition = data.Definition;
        if (SensitiveColumn is not null && SensitiveColumn != definition.SensitiveColumn)
        {
            throw Invalid($"sensitive_column '{SensitiveColumn}' differs from the dataset's sensitive column '{definition.SensitiveColumn}'. " +
                          "Import the model into a dataset with that sensitive column, or correct the spec.", SensitiveColumn);
        }

        if (LabelColumn is not null && LabelColumn != definition.LabelColumn)
            throw Invalid($"label_column '{LabelColumn}' differs from the dataset's label column '{definition.LabelColumn}'.", LabelColumn);
        if (FavourableLabel is not null && FavourableLabel.Trim().TrimEnd('.') != definition.FavourableLabel)
            throw Invalid($"favourable_label '{FavourableLabel}' differs from the dataset's favourable label '{definition.FavourableLabel}'.", FavourableLabel);

        var features = data.Train.FeatureColumns;
        for (int i = 0; i < Columns.Count; i++)
        {
            var column = Columns[i];
            if (!features.Contains(column.Name))
            {
                throw Invalid($"preprocessing.columns[{i}] names column '{column.Name}', which is not a feature column of dataset " +
                              $"'{definition.Name}'. Its feature columns are {DatasetColumns.List(features)}.", column.Name);
            }

            if (column.IsNumeric && !data.NumericColumns.Contains(column.Name))
            {
                throw Invalid($"preprocessing.columns[{i}] ('{column.Name}') is numeric in the spec, but the dataset's column contains text. " +
                              "Describe it as categorical with its categories.", column.Name);
            }
        }

        var layers = new List<LayerShape>();
        int width = InputCount;
        foreach (int next in Hidden.Append(1))
        {
            layers.Add(new LayerShape($"fc{layers.Count + 1}", width, next));
            width = next;
        }

        string sensitive = definition.SensitiveColumn;
        var sources = definition.DerivedColumns.Where(d => d.Name == sensitive).Select(d => d.SourceColumn).ToHashSet();
        bool readsSensitive = Columns.Any(c => c.Name == sensitive || sources.Contains(c.Name));
        return new ModelSpec
        {
            Settings = new ModelSettings
            {
                Architecture = Hidden.Count == 0 ? Models.Architecture.LogisticRegression : Models.Architecture.Mlp,
                Hidden = Hidden.Count == 0 ? new ModelSettings().Hidden : Hidden,
                ExcludeSensitiveFeature = !readsSensitive,
            },
            SensitiveColumn = sensitive,
            EncoderColumns = Columns.Select(c => c.ToEncodedColumn()).ToList(),
            Layers = layers,
        };
    }

    private void Validate()
    {
        if (Format is not null && Format != FormatName)
            throw Invalid($"format '{Format}' is unknown; this server reads '{FormatName}'.", Format);
        if (FormatVersion is not null and not 1)
            throw Invalid($"format_version {FormatVersion} is unknown; this server reads version 1.", FormatVersion.Value.ToString(CultureInfo.InvariantCulture));

        string architecture = Architecture ?? "mlp";
        if (architecture is not ("mlp" or "logistic-regression"))
            throw Invalid($"architecture '{architecture}' is not supported; use 'mlp' or 'logistic-regression'.", architecture);
        if (architecture == "logistic-regression" && Hidden.Count > 0)
            throw Invalid($"architecture 'logistic-regression' has no hidden layers, but hidden is [{string.Join(", ", Hidden)}].", architecture);
        if (architecture == "mlp" && Hidden.Count == 0)
            throw Invalid("architecture 'mlp' needs at least one hidden width in hidden, for example [64, 32].", "[]");
        if (Activation is not null && Activation != "relu")
            throw Invalid($"activation '{Activation}' is not supported; the engine's MLP uses relu between its layers.", Activation);

        for (int i = 0; i < Hidden.Count; i++)
        {
            if (Hidden[i] is < 1 or > 4096)
                throw Invalid($"hidden[{i}] is {Hidden[i]}; hidden widths must be in [1, 4096].", Hidden[i].ToString(CultureInfo.InvariantCulture));
        }

        if (Columns.Count == 0)
            throw Invalid("preprocessing.columns is missing or empty; list the input columns in the order the network reads them.", "");

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Columns.Count; i++)
        {
            Columns[i].Validate($"preprocessing.columns[{i}]");
            if (!names.Add(Columns[i].Name))
                throw Invalid($"preprocessing.columns[{i}] repeats column '{Columns[i].Name}'; list each column once.", Columns[i].Name);
        }
    }

    internal static EngineException Invalid(string message, string? value) => EngineException.Invalid("spec_json", message, value);
}

/// <summary>The preprocessing part of an <see cref="InteropSpec"/>.</summary>
public sealed record InteropPreprocessing
{
    /// <summary>Input columns in the order the network reads them.</summary>
    [JsonPropertyName("columns")]
    public IReadOnlyList<InteropColumn> Columns { get; init; } = [];
}

/// <summary>One input column: numeric with its standardisation, or categorical with its one-hot categories.</summary>
public sealed record InteropColumn
{
    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    /// <summary>"numeric" or "categorical".</summary>
    [JsonPropertyName("type")]
    public string Type { get; init; } = "";

    /// <summary>Mean subtracted from a numeric value.</summary>
    [JsonPropertyName("mean")]
    public double? Mean { get; init; }

    /// <summary>Standard deviation that divides a numeric value after the mean is subtracted; must be positive.</summary>
    [JsonPropertyName("std")]
    public double? Std { get; init; }

    /// <summary>Categories of a categorical column, one input each, in this order.</summary>
    [JsonPropertyName("categories")]
    public IReadOnlyList<string>? Categories { get; init; }

    [JsonIgnore]
    public bool IsNumeric => Type == "numeric";

    [JsonIgnore]
    public int InputCount => IsNumeric ? 1 : Categories?.Count ?? 0;

    internal EncodedColumn ToEncodedColumn() => IsNumeric
        ? new EncodedColumn(Name, true, Mean!.Value, Std!.Value, [])
        : new EncodedColumn(Name, false, 0, 1, Categories!);

    internal void Validate(string path)
    {
        if (string.IsNullOrWhiteSpace(Name))
            throw InteropSpec.Invalid($"{path}.name is missing; give the dataset column that this input reads.", Name);

        if (Type == "numeric")
        {
            if (Mean is not { } mean || !double.IsFinite(mean))
                throw InteropSpec.Invalid($"{path}.mean is missing or not a finite number for numeric column '{Name}'.", Mean?.ToString("R", CultureInfo.InvariantCulture));
            if (Std is not { } std || !double.IsFinite(std) || std <= 0)
                throw InteropSpec.Invalid($"{path}.std of numeric column '{Name}' must be a positive finite number; got {Std?.ToString("R", CultureInfo.InvariantCulture) ?? "nothing"}.", Std?.ToString("R", CultureInfo.InvariantCulture));
            if (Categories is not null)
                throw InteropSpec.Invalid($"{path} is numeric but lists categories; remove them or make the column categorical.", Name);
        }
        else if (Type == "categorical")
        {
            if (Categories is not { Count: > 0 })
                throw InteropSpec.Invalid($"{path}.categories is missing or empty for categorical column '{Name}'.", Name);
            if (Mean is not null || Std is not null)
                throw InteropSpec.Invalid($"{path} is categorical but has a mean or std; remove them or make the column numeric.", Name);

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (string category in Categories)
            {
                if (!seen.Add(category))
                    throw InteropSpec.Invalid($"{path}.categories repeats '{category}'; each category is one input and must appear once.", category);
            }
        }
        else
        {
            throw InteropSpec.Invalid($"{path}.type '{Type}' is unknown; use 'numeric' or 'categorical'.", Type);
        }
    }
}
