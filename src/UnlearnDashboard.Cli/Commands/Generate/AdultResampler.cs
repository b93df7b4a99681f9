using System.Globalization;
using System.Text;

namespace UnlearnDashboard.Cli.Commands.Generate;

/// <summary>
/// Makes a larger Adult-like dataset by resampling the rows of UCI Adult with noise, deterministically for a seed.
/// Each output row starts as a source row drawn uniformly with replacement. Numeric columns are jittered within
/// the source's range. Age and hours per week move by a rounded normal step (standard deviation 2). Fnlwgt and
/// non-zero capital gains and losses are multiplied by a log-normal factor (sigma 0.1), and a zero gain or loss stays zero.
/// Workclass, occupation and native country are each replaced, with probability
/// <see cref="ResampleProbability"/>, by the value of another random source row, which keeps every value's share
/// ('?' included, so the share of rows with a missing value stays as in Adult). The other columns are copied
/// unchanged, so the label (income), the sensitive columns (sex, race), relationship and marital status, and
/// education with education-num stay consistent with each other.
/// </summary>
internal sealed class AdultResampler
{
    /// <summary>Adult's columns in file order. The source must have all of them, and the output has exactly these.</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation", "relationship",
        "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country", "income",
    ];

    /// <summary>Chance that a resampled categorical cell takes another source row's value.</summary>
    public const double ResampleProbability = 0.05;

    private static readonly string[] ResampledColumns = ["workclass", "occupation", "native-country"];
    private static readonly string[] StepColumns = ["age", "hours-per-week"];
    private static readonly string[] FactorColumns = ["fnlwgt", "capital-gain", "capital-loss"];

    private const double StepDeviation = 2.0;
    private const double FactorSigma = 0.1;

    private readonly string[][] _rows;
    private readonly Dictionary<int, (double Min, double Max)> _ranges = [];
    private readonly int[] _resampled;
    private readonly int[] _stepped;
    private readonly int[] _scaled;

    private AdultResampler(string[][] rows)
    {
        _rows = rows;
        _resampled = ResampledColumns.Select(IndexOf).ToArray();
        _stepped = StepColumns.Select(IndexOf).ToArray();
        _scaled = FactorColumns.Select(IndexOf).ToArray();
        foreach (int column in NumericColumns)
        {
            var values = rows.Select(r => ParseNumber(r[column])).ToList();
            _ranges[column] = (values.Min(), values.Max());
        }
    }

    public int SourceRowCount => _rows.Length;

    private static IEnumerable<int> NumericColumns => StepColumns.Concat(FactorColumns).Select(IndexOf);

    /// <summary>
    /// Reads an Adult CSV with a header row, as shipped in src/UnlearnDashboard.Engine/Datasets/adult.csv. Fields are
    /// separated by ',' with optional spaces and have no quotes. Throws <see cref="UsageException"/> naming the file and
    /// the column or line when a column is missing, a line has the wrong number of fields or a numeric value is invalid.
    /// </summary>
    public static AdultResampler Read(TextReader reader, string source)
    {
        string header = reader.ReadLine() ?? throw new UsageException($"the Adult source file '{source}' is empty. Expected a header row followed by data rows.");
        var names = Split(header);
        var positions = new int[Columns.Count];
        for (int c = 0; c < Columns.Count; c++)
        {
            positions[c] = Array.IndexOf(names, Columns[c]);
            if (positions[c] < 0)
                throw new UsageException($"the Adult source file '{source}' has no column '{Columns[c]}'. Its header is: {string.Join(", ", names)}.");
        }

        var rows = new List<string[]>();
        int line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (text.Trim().Length == 0 || text.StartsWith('|'))
                continue;

            var fields = Split(text);
            if (fields.Length != names.Length)
                throw new UsageException($"line {line} of the Adult source file '{source}' has {fields.Length} fields, but its header has {names.Length}.");

            rows.Add(positions.Select(p => fields[p]).ToArray());
        }

        if (rows.Count == 0)
            throw new UsageException($"the Adult source file '{source}' has a header but no data rows.");

        CheckNumbers(rows, source);
        return new AdultResampler([.. rows]);
    }

    /// <summary>
    /// Writes a header and <paramref name="rowCount"/> resampled rows to <paramref name="writer"/>, one row at a time,
    /// so memory does not grow with the row count. The same source, seed and count give the same bytes.
    /// </summary>
    public void Write(TextWriter writer, long rowCount, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        writer.Write(string.Join(",", Columns));
        writer.Write('\n');
        var row = new string[Columns.Count];
        var line = new StringBuilder(160);
        for (long i = 0; i < rowCount; i++)
        {
            if ((i & 0xFFFF) == 0)
                cancellationToken.ThrowIfCancellationRequested();

            NextRow(random, row);
            line.Clear();
            line.AppendJoin(',', row).Append('\n');
            writer.Write(line);
        }
    }

    /// <summary>Fills <paramref name="row"/> with the next resampled row. The draws happen in a fixed order, so a seed fixes the output.</summary>
    internal void NextRow(Random random, string[] row)
    {
        var source = _rows[random.Next(_rows.Length)];
        source.CopyTo(row, 0);

        foreach (int column in _resampled)
        {
            if (random.NextDouble() < ResampleProbability)
                row[column] = _rows[random.Next(_rows.Length)][column];
        }

        foreach (int column in _stepped)
        {
            double value = ParseNumber(source[column]) + Math.Round(StepDeviation * Normal(random));
            row[column] = Format(Math.Clamp(value, _ranges[column].Min, _ranges[column].Max));
        }

        foreach (int column in _scaled)
        {
            double factor = Math.Exp(FactorSigma * Normal(random));
            double value = ParseNumber(source[column]);
            if (value != 0)
                row[column] = Format(Math.Clamp(Math.Round(value * factor), Math.Max(1, _ranges[column].Min), _ranges[column].Max));
        }
    }

    /// <summary>A standard normal draw by the Box-Muller transform, from two uniform draws.</summary>
    private static double Normal(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static void CheckNumbers(List<string[]> rows, string source)
    {
        foreach (int column in NumericColumns)
        {
            for (int r = 0; r < rows.Count; r++)
            {
                if (!double.TryParse(rows[r][column], NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
                    throw new UsageException($"column '{Columns[column]}' of the Adult source file '{source}' has '{rows[r][column]}' in data row {r + 1}, which is not a number.");
            }
        }
    }

    private static string[] Split(string line) => line.Split(',').Select(f => f.Trim()).ToArray();

    private static int IndexOf(string column) => Columns.ToList().IndexOf(column);

    private static double ParseNumber(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string Format(double value) => value.ToString("0", CultureInfo.InvariantCulture);
}
