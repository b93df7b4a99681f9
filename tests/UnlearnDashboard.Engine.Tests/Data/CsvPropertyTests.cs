using System.Text;
using CsCheck;
using UnlearnDashboard.Engine.Data;
using static UnlearnDashboard.Engine.Tests.Data.DatasetTestData;

namespace UnlearnDashboard.Engine.Tests.Data;

/// <summary>
/// Property tests of the table readers with CsCheck: tables written as CSV read back unchanged, and damaged
/// files, whatever the damage, either load or fail with an <see cref="EngineException"/> that names a field.
/// A failure prints CsCheck's seed; set <c>UNLEARN_FUZZ_SECONDS</c> to sample for that long instead of a fixed
/// number of cases.
/// </summary>
public sealed class CsvPropertyTests
{
    // Characters a generated value draws from: separators, quotes, line ends, comment and missing markers,
    // whitespace and text outside ASCII.
    private const string ValueChars = "abcXYZ019 ,\"\n\r\t|?;é中-";

    private static readonly Gen<string> Value = Gen.String[Gen.Char[ValueChars], 0, 12];

    private static readonly Gen<string> LineEnd = Gen.OneOf("\n", "\r\n", "\r");

    /// <summary>Tables of 2 to 6 columns with unique names and 1 to 20 rows, and how to write them.</summary>
    private static readonly Gen<GeneratedCsv> Tables =
        from columnCount in Gen.Int[2, 6]
        from names in Gen.String[Gen.Char["abcdefgh_ "], 1, 6].HashSet[columnCount, columnCount]
        from rowCount in Gen.Int[1, 20]
        from rows in Value.Array[columnCount].Array[rowCount]
        from lineEnd in LineEnd
        from quoteAll in Gen.Bool
        from byteOrderMark in Gen.Bool
        select new GeneratedCsv(names.ToArray(), rows, lineEnd, quoteAll, byteOrderMark);

    [Fact]
    public void Read_WrittenTable_RoundTrips()
    {
        Tables
            .Where(csv => csv.Columns.Select(c => c.Trim()).Distinct().Count() == csv.Columns.Length && csv.Columns.All(c => c.Trim().Length > 0))
            .Sample(csv =>
            {
                using var stream = new MemoryStream(csv.Bytes());

                var table = CsvReader.Read(stream, "train.csv", "train_file", null);

                Assert.Equal(csv.Columns.Select(c => c.Trim()), table.Columns);
                Assert.Equal(csv.Rows.Length, table.RecordCount);
                for (int column = 0; column < csv.Columns.Length; column++)
                    Assert.Equal(csv.Rows.Select(row => row[column].Trim()), table.Values[column]);
                Assert.Equal(csv.ExpectedLineNumbers(), table.LineNumbers);
            }, iter: Iterations(3000), time: FuzzSeconds());
    }

    [Fact]
    public void Load_DamagedCsv_LoadsOrNamesTheFault()
    {
        byte[] original = Encoding.UTF8.GetBytes(SmallDataset());

        Edits(original.Length).Sample(edits =>
        {
            byte[] damaged = Apply(original, edits);
            AssertLoadsOrNamesFault(damaged);
        }, iter: Iterations(2000), time: FuzzSeconds());
    }

    [Fact]
    public void Load_DamagedParquet_LoadsOrNamesTheFault()
    {
        byte[] original = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Interop", "Fixtures", "adult_2000.parquet"));

        Edits(original.Length).Sample(edits =>
        {
            byte[] damaged = Apply(original, edits);
            AssertLoadsOrNamesFault(damaged, AdultDefinition());
        }, iter: Iterations(300), time: FuzzSeconds());
    }

    [Fact]
    public void Load_RandomBytes_LoadsOrNamesTheFault()
    {
        Gen.Byte.Array[0, 400].Sample(bytes => AssertLoadsOrNamesFault(bytes), iter: Iterations(2000), time: FuzzSeconds());
    }

    /// <summary>
    /// Loads the bytes with <see cref="DatasetTestData.Definition"/> or <paramref name="definition"/>. A loaded
    /// dataset must be consistent; a failure must be an <see cref="EngineException"/> with a field and a message.
    /// </summary>
    private static void AssertLoadsOrNamesFault(byte[] bytes, DatasetDefinition? definition = null)
    {
        PreparedDataset data;
        try
        {
            data = LoadBytes(definition ?? Definition(), bytes);
        }
        catch (EngineException error)
        {
            Assert.False(string.IsNullOrWhiteSpace(error.Field), $"The error names no field: {error.Message}");
            Assert.False(string.IsNullOrWhiteSpace(error.Message));
            return;
        }

        foreach (var split in Splits(data))
        {
            Assert.All(split.Labels, label => Assert.True(label is 0f or 1f, $"label {label}"));
            Assert.Equal(split.Labels.Length, split.Groups.Length);
            Assert.All(split.Groups, group => Assert.False(string.IsNullOrWhiteSpace(group)));
        }

        Assert.True(data.Train.Labels.Length > 0);
    }

    /// <summary>A valid dataset in the shape of <see cref="DatasetTestData.Definition"/>: 40 rows, two groups, both labels.</summary>
    private static string SmallDataset()
    {
        var text = new StringBuilder("age,workclass,sex,y\n");
        for (int i = 0; i < 40; i++)
            text.Append($"{20 + i},{(i % 3 == 0 ? "Private" : "\"Self, emp\"")},{(i % 2 == 0 ? "Male" : "Female")},{i % 4 / 2}\n");
        return text.ToString();
    }

    /// <summary>One to eight edits: overwrite, insert or delete a byte at a position, or cut the file there.</summary>
    private static Gen<(int Position, int Kind, byte Value)[]> Edits(int length) =>
        Gen.Select(Gen.Int[0, length - 1], Gen.Int[0, 3], Gen.Byte).Array[1, 8];

    private static byte[] Apply(byte[] original, (int Position, int Kind, byte Value)[] edits)
    {
        var bytes = new List<byte>(original);
        foreach (var (position, kind, value) in edits)
        {
            int at = Math.Min(position, bytes.Count - 1);
            if (at < 0)
                break;
            switch (kind)
            {
                case 0: bytes[at] = value; break;
                case 1: bytes.Insert(at, value); break;
                case 2: bytes.RemoveAt(at); break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }

        return [.. bytes];
    }

    private static long Iterations(long cases) => FuzzSeconds() > 0 ? -1 : cases;

    private static int FuzzSeconds() =>
        int.TryParse(Environment.GetEnvironmentVariable("UNLEARN_FUZZ_SECONDS"), out int seconds) && seconds > 0 ? seconds : -1;

    /// <summary>A generated table and the way it is written: the line end, whether every value is quoted, and a byte order mark.</summary>
    private sealed record GeneratedCsv(string[] Columns, string[][] Rows, string LineEnd, bool QuoteAll, bool ByteOrderMark)
    {
        public byte[] Bytes()
        {
            byte[] text = Encoding.UTF8.GetBytes(Text());
            return ByteOrderMark ? [0xEF, 0xBB, 0xBF, .. text] : text;
        }

        /// <summary>The 1-based line on which each record starts, counting LF, CRLF and lone CR as one line end each.</summary>
        public int[] ExpectedLineNumbers()
        {
            var starts = new int[Rows.Length];
            int line = 1 + CountLineEnds(Record(Columns)) + 1;
            for (int i = 0; i < Rows.Length; i++)
            {
                starts[i] = line;
                line += CountLineEnds(Record(Rows[i])) + 1;
            }

            return starts;
        }

        private string Text() =>
            string.Concat(new[] { Columns }.Concat(Rows).Select(record => Record(record) + LineEnd));

        private string Record(string[] values) => string.Join(",", values.Select(Field));

        /// <summary>
        /// Quotes a value when asked to, or when it contains a character the reader would take as structure: a
        /// separator, quote or line end anywhere, or '|' (a comment line) or whitespace at its start.
        /// </summary>
        private string Field(string value)
        {
            bool quote = QuoteAll || value.IndexOfAny([',', '"', '\n', '\r']) >= 0 || value.StartsWith('|') || value.Length == 0
                || char.IsWhiteSpace(value[0]);
            return quote ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
        }

        private static int CountLineEnds(string text) => text.Replace("\r\n", "\n").Count(c => c is '\n' or '\r');
    }
}
