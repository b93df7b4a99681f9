namespace UnlearnDashboard.Engine.Data;

/// <summary>
/// One-hot encoding of categorical columns (every level seen in training, in ordinal order) and
/// standardisation of numeric columns (training mean and population standard deviation), fitted on
/// the training split only and saved with the model. Unseen categories encode as all zeros.
/// </summary>
public sealed class FeatureEncoder
{
    public FeatureEncoder(IReadOnlyList<EncodedColumn> columns)
    {
        Columns = columns;
        FeatureNames = columns.SelectMany(c => c.IsNumeric ? [c.Name] : c.Levels.Select(l => $"{c.Name}={l}")).ToList();
    }

    public IReadOnlyList<EncodedColumn> Columns { get; }

    /// <summary>Names of the encoded features, for example <c>age</c> and <c>sex=Female</c>.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    public int FeatureCount => FeatureNames.Count;

    /// <summary>Fits the encoder on the named columns of a training split.</summary>
    public static FeatureEncoder Fit(TabularSplit train, IReadOnlyList<string> columns, IReadOnlySet<string> numericColumns)
    {
        var encoded = new List<EncodedColumn>();
        var positions = ColumnPositions(train);
        foreach (string name in columns)
        {
            int index = IndexOf(train, positions, name);
            string[] values = train.FeatureValues[index];
            if (numericColumns.Contains(name))
            {
                double[] numbers = values.Select(ParseNumber).ToArray();
                double mean = numbers.Average();
                double variance = numbers.Select(x => (x - mean) * (x - mean)).Average();
                double scale = variance > 0 ? Math.Sqrt(variance) : 1.0;
                encoded.Add(new EncodedColumn(name, true, mean, scale, []));
            }
            else
            {
                var levels = values.Distinct().Order(StringComparer.Ordinal).ToList();
                encoded.Add(new EncodedColumn(name, false, 0, 1, levels));
            }
        }

        return new FeatureEncoder(encoded);
    }

    /// <summary>Encodes a split as a row-major matrix of <c>Count x FeatureCount</c> values.</summary>
    public float[] Encode(TabularSplit split)
    {
        int width = FeatureCount;
        var matrix = new float[split.Count * width];
        int offset = 0;
        var columnPositions = ColumnPositions(split);
        foreach (var column in Columns)
        {
            string[] values = split.FeatureValues[IndexOf(split, columnPositions, column.Name)];
            if (column.IsNumeric)
            {
                for (int row = 0; row < split.Count; row++)
                    matrix[row * width + offset] = (float)((ParseNumber(values[row]) - column.Mean) / column.Scale);
                offset++;
            }
            else
            {
                var positions = column.Levels.Select((level, i) => (level, i)).ToDictionary(p => p.level, p => p.i, StringComparer.Ordinal);
                for (int row = 0; row < split.Count; row++)
                {
                    if (positions.TryGetValue(values[row], out int level))
                        matrix[row * width + offset + level] = 1f;
                }

                offset += column.Levels.Count;
            }
        }

        return matrix;
    }

    internal static double ParseNumber(string value) =>
        double.Parse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);

    // A dictionary rather than a scan per column, because a file may have hundreds of thousands of columns.
    private static Dictionary<string, int> ColumnPositions(TabularSplit split)
    {
        var positions = new Dictionary<string, int>(split.FeatureColumns.Count, StringComparer.Ordinal);
        for (int i = 0; i < split.FeatureColumns.Count; i++)
            positions.TryAdd(split.FeatureColumns[i], i);
        return positions;
    }

    private static int IndexOf(TabularSplit split, Dictionary<string, int> positions, string column) =>
        positions.TryGetValue(column, out int index)
            ? index
            : throw EngineException.Invalid("column", $"Column '{column}' is not a feature column of split '{split.Name}'.", column);
}

/// <summary>One input column of a <see cref="FeatureEncoder"/>: numeric with mean and scale, or categorical with levels.</summary>
public sealed record EncodedColumn(string Name, bool IsNumeric, double Mean, double Scale, IReadOnlyList<string> Levels);
