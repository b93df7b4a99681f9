using System.Text;
using CsCheck;
using UnlearnDashboard.Engine.Data;

namespace UnlearnDashboard.Engine.Tests.Data;

/// <summary>
/// The CSV reader decodes a file block by block. Any block size must give the same table, or the same error,
/// as decoding the whole file as one block. The one exception: a file with invalid UTF-8 after another fault may
/// report that other fault, because blocks are parsed before the rest of the file is decoded.
/// </summary>
public sealed class CsvBlockReadingTests
{
    // Characters that matter to the parser, a two-byte and a three-byte character, and bytes that are invalid UTF-8.
    private static readonly Gen<byte[]> CsvBytes =
        Gen.OneOf(
                Gen.Char[",\"\r\n \t|?ab1"].Select(c => Encoding.UTF8.GetBytes(c.ToString())),
                Gen.Const(Encoding.UTF8.GetBytes("é")),
                Gen.Const(Encoding.UTF8.GetBytes("€")),
                Gen.Const(new byte[] { 0xFF }),
                Gen.Const(new byte[] { 0xEF, 0xBB, 0xBF }))
            .Array[0, 120]
            .Select(parts => parts.SelectMany(p => p).ToArray());

    private const string InvalidUtf8 = "error: train.csv is not valid UTF-8";

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(13)]
    public void Read_SmallBlocks_EqualsOneBlock(int blockBytes)
    {
        CsvBytes.Sample(bytes =>
        {
            string whole = Describe(bytes, bytes.Length + 4);
            string blocks = Describe(bytes, blockBytes);

            if (whole.StartsWith(InvalidUtf8, StringComparison.Ordinal))
                Assert.StartsWith("error: ", blocks);
            else
                Assert.Equal(whole, blocks);
        }, iter: 3000);
    }

    [Theory]
    [InlineData(4_093)]
    [InlineData(CsvReader.DefaultBlockBytes)]
    public void Read_ShippedAdult_EqualsOneBlock(int blockBytes)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(DatasetProfiles.DataFolder, "adult.csv"));

        var whole = CsvReader.Read(new MemoryStream(bytes), "adult.csv", "train_file", null, bytes.Length + 4);
        var blocks = CsvReader.Read(new MemoryStream(bytes), "adult.csv", "train_file", null, blockBytes);

        Assert.True(bytes.Length > 2 * CsvReader.DefaultBlockBytes, "adult.csv no longer spans several default blocks");
        Assert.Equal(whole.Columns, blocks.Columns);
        Assert.Equal(whole.LineNumbers, blocks.LineNumbers);
        for (int column = 0; column < whole.Columns.Count; column++)
            Assert.Equal(whole.Values[column], blocks.Values[column]);
    }

    [Fact]
    public void Read_InvalidByteInLaterBlock_NamesSameOffsetAndLine()
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(DatasetProfiles.DataFolder, "adult.csv"));
        bytes[3_000_001] = 0xFF;

        string whole = Describe(bytes, bytes.Length + 4);
        string blocks = Describe(bytes, CsvReader.DefaultBlockBytes);

        Assert.StartsWith(InvalidUtf8, whole);
        Assert.Contains("byte offset 3000001", whole);
        Assert.Equal(whole, blocks);
    }

    /// <summary>Reads the bytes with the given block size and describes the table, or the error, as text.</summary>
    private static string Describe(byte[] bytes, int blockBytes)
    {
        try
        {
            var table = CsvReader.Read(new MemoryStream(bytes), "train.csv", "train_file", null, blockBytes);
            var text = new StringBuilder(string.Join("|", table.Columns)).Append('\n');
            for (int record = 0; record < table.RecordCount; record++)
                text.Append(table.LineNumbers[record]).Append(':').AppendJoin("|", table.Values.Select(v => v[record])).Append('\n');
            return text.ToString();
        }
        catch (EngineException error)
        {
            return "error: " + error.Message;
        }
    }
}
