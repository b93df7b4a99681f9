using System.Buffers;
using System.Text.Unicode;

namespace UnlearnDashboard.Engine.Data;

/// <summary>The records of one CSV file, column by column, as trimmed strings.</summary>
internal sealed class CsvTable
{
    public required string Source { get; init; }

    public required IReadOnlyList<string> Columns { get; init; }

    /// <summary>One array per column, one trimmed value per record. Missing values stay as written ("?" or "").</summary>
    public required string[][] Values { get; init; }

    /// <summary>1-based line in the file where each record starts, or the 1-based row of a Parquet file.</summary>
    public required int[] LineNumbers { get; init; }

    /// <summary>What <see cref="LineNumbers"/> count in messages: "line" for CSV, "row" for Parquet.</summary>
    public string RecordName { get; init; } = "line";

    public int RecordCount => LineNumbers.Length;

    // Built on the first lookup, because callers look up every column and a file may have hundreds of thousands.
    private Dictionary<string, int>? _positions;

    /// <summary>Returns the position of the first column with this name, or -1.</summary>
    public int IndexOf(string column)
    {
        if (_positions is null)
        {
            var positions = new Dictionary<string, int>(Columns.Count, StringComparer.Ordinal);
            for (int i = 0; i < Columns.Count; i++)
                positions.TryAdd(Columns[i], i);
            _positions = positions;
        }

        return _positions.TryGetValue(column, out int index) ? index : -1;
    }
}

/// <summary>
/// Reads CSV files as UCI and spreadsheets write them. The text is UTF-8, and a byte order mark is skipped.
/// Fields are separated by ',' with any spaces around it (Adult writes ", "), and a field in double quotes
/// may contain ',' and line breaks, with "" for a quote. Lines end in LF, CRLF or CR. Every value is trimmed.
/// Blank lines and lines starting with '|' are not records: UCI uses '|' for comments, such as adult.test's
/// first line "|1x3 Cross validator".
/// </summary>
internal static class CsvReader
{
    /// <summary>
    /// Reads a whole CSV file. When <paramref name="columnNames"/> is null the first record is the header;
    /// otherwise the file has no header and those are the column names. Throws
    /// <see cref="EngineException"/> (invalid argument, field <paramref name="fileField"/> or the column)
    /// for invalid UTF-8, an empty file, a bad header, a file with no data records, ragged records and
    /// unterminated quotes.
    /// </summary>
    public static CsvTable Read(Stream stream, string source, string fileField, IReadOnlyList<string>? columnNames) =>
        Read(stream, source, fileField, columnNames, DefaultBlockBytes);

    /// <summary>Bytes decoded at a time. Only one block's text, and the record that crosses its end, is in memory at once.</summary>
    internal const int DefaultBlockBytes = 1 << 20;

    /// <summary>As <see cref="Read(Stream, string, string, IReadOnlyList{string}?)"/>, decoding <paramref name="blockBytes"/> bytes at a time.</summary>
    internal static CsvTable Read(Stream stream, string source, string fileField, IReadOnlyList<string>? columnNames, int blockBytes)
    {
        var parser = new Parser(new TextBlocks(stream, source, fileField, blockBytes), source, fileField);
        var fields = new List<string>();

        IReadOnlyList<string> columns;
        if (columnNames is null)
        {
            if (!parser.ReadRecord(fields, out int headerLine))
                throw EngineException.Invalid(fileField, $"{source} is empty. Expected a header row followed by data rows.", source);

            columns = ValidateHeader(fields, headerLine, source, fileField);
        }
        else
        {
            columns = ValidateColumnNames(columnNames, "column_names", "the defined column names");
        }

        var values = new List<string>[columns.Count];
        for (int i = 0; i < values.Length; i++)
            values[i] = [];

        var lines = new List<int>();
        while (parser.ReadRecord(fields, out int line))
        {
            if (fields.Count != columns.Count)
                throw RaggedRecord(fields, line, columns.Count, columnNames is null, source, fileField);

            for (int i = 0; i < fields.Count; i++)
                values[i].Add(fields[i]);
            lines.Add(line);
        }

        if (lines.Count == 0)
        {
            string message = columnNames is null
                ? $"{source} has a header but no data rows."
                : $"{source} has no data rows.";
            throw EngineException.Invalid(fileField, message, source);
        }

        return new CsvTable
        {
            Source = source,
            Columns = columns,
            Values = values.Select(v => v.ToArray()).ToArray(),
            LineNumbers = lines.ToArray(),
        };
    }

    private static IReadOnlyList<string> ValidateHeader(List<string> fields, int line, string source, string fileField)
    {
        if (fields.Count == 1 && DescribeOtherSeparator(fields[0], includeSpace: false) is { } separator)
        {
            throw EngineException.Invalid(
                fileField,
                $"The header of {source} is a single column '{fields[0]}', so the file looks {separator}-separated. " +
                "Only ',' is supported as the separator: save the file as comma-separated CSV.",
                source);
        }

        return ValidateColumnNames(fields, fileField, $"the header of {source} (line {line})");
    }

    private static IReadOnlyList<string> ValidateColumnNames(IReadOnlyList<string> names, string field, string where)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++)
        {
            string name = names[i].Trim();
            if (name.Length == 0)
                throw EngineException.Invalid(field, $"Column {i + 1} in {where} has no name. Give every column a name.");

            if (!seen.TryAdd(name, i))
            {
                throw EngineException.Invalid(
                    name,
                    $"Column name '{name}' appears twice in {where}, as columns {seen[name] + 1} and {i + 1}. Rename one of them.",
                    name);
            }
        }

        return names.Select(n => n.Trim()).ToList();
    }

    private static EngineException RaggedRecord(
        List<string> fields, int line, int columnCount, bool hasHeader, string source, string fileField)
    {
        string expected = hasHeader ? $"the header has {columnCount}" : $"{columnCount} column names are defined";
        string message = $"Line {line} of {source} has {fields.Count} fields, but {expected}.";
        if (fields.Count == 1 && DescribeOtherSeparator(fields[0], includeSpace: true) is { } separator)
            message += $" The line looks {separator}-separated; only ',' is supported as the separator.";
        else
            message += " Check for a missing or extra ',' and quote values that contain ','.";

        return EngineException.Invalid(fileField, message, line.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Names the separator a single field seems to use instead of ',', or returns null.</summary>
    private static string? DescribeOtherSeparator(string field, bool includeSpace)
    {
        if (field.Contains(';'))
            return "';'";
        if (field.Contains('\t'))
            return "tab";
        if (field.Contains('|'))
            return "'|'";
        if (includeSpace && field.Contains(' '))
            return "space";
        return null;
    }

    /// <summary>
    /// Splits decoded text into records. Values of the same field position are interned, so a column of
    /// repeated categories keeps one string per distinct value and reading allocates only for new values.
    /// </summary>
    private sealed class Parser(TextBlocks blocks, string source, string fileField)
    {
        private readonly List<Dictionary<string, string>> _pools = [];
        private char[] _quoted = new char[256];
        private int _position;
        private int _line = 1;

        /// <summary>
        /// Reads the next record into <paramref name="fields"/>, or returns false at the end of the text. A record that
        /// runs past the decoded text is read again from its start once the next block is decoded.
        /// </summary>
        public bool ReadRecord(List<string> fields, out int line)
        {
            while (true)
            {
                int start = _position;
                int startLine = _line;
                try
                {
                    return ReadDecodedRecord(fields, out line);
                }
                catch (MoreTextNeededException)
                {
                    blocks.DecodeNext(start);
                    _position = 0;
                    _line = startLine;
                }
            }
        }

        /// <summary>
        /// Returns whether the character at <paramref name="index"/> exists. Throws <see cref="MoreTextNeededException"/>
        /// when it lies beyond the decoded text and the stream has more.
        /// </summary>
        private bool Has(int index)
        {
            if (index < blocks.Length)
                return true;
            if (blocks.Final)
                return false;

            throw MoreTextNeededException.Instance;
        }

        private bool ReadDecodedRecord(List<string> fields, out int line)
        {
            fields.Clear();
            SkipBlankAndCommentLines();
            line = _line;
            if (!Has(_position))
                return false;

            while (true)
            {
                fields.Add(ReadField(fields.Count));
                if (Has(_position) && blocks.Text[_position] == ',')
                {
                    _position++;
                    continue;
                }

                SkipLineEnd();
                return true;
            }
        }

        private void SkipBlankAndCommentLines()
        {
            while (Has(_position))
            {
                int end = _position;
                while (Has(end) && blocks.Text[end] is ' ' or '\t')
                    end++;

                bool blank = !Has(end) || blocks.Text[end] is '\r' or '\n';
                bool comment = blocks.Text[_position] == '|';
                if (!blank && !comment)
                    return;

                _position = end;
                while (Has(_position) && blocks.Text[_position] is not ('\r' or '\n'))
                    _position++;
                SkipLineEnd();
            }
        }

        private string ReadField(int index)
        {
            while (Has(_position) && blocks.Text[_position] is ' ' or '\t')
                _position++;

            if (Has(_position) && blocks.Text[_position] == '"')
                return Intern(index, ReadQuoted(index));

            int start = _position;
            while (Has(_position) && blocks.Text[_position] is not (',' or '\r' or '\n'))
                _position++;

            return Intern(index, blocks.Text.AsSpan(start, _position - start).Trim());
        }

        /// <summary>Reads a quoted field whose opening quote is at the current position and returns its trimmed content.</summary>
        private ReadOnlySpan<char> ReadQuoted(int index)
        {
            int startLine = _line;
            int count = 0;
            _position++;
            while (true)
            {
                if (!Has(_position))
                {
                    throw EngineException.Invalid(
                        fileField,
                        $"Field {index + 1} on line {startLine} of {source} opens a quote that is never closed. Close the quote or double quotes inside it (\"\").",
                        startLine.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                char c = blocks.Text[_position];
                if (c == '"')
                {
                    if (Has(_position + 1) && blocks.Text[_position + 1] == '"')
                    {
                        Append(ref count, '"');
                        _position += 2;
                        continue;
                    }

                    _position++;
                    break;
                }

                if (c == '\n' || (c == '\r' && (!Has(_position + 1) || blocks.Text[_position + 1] != '\n')))
                    _line++;
                Append(ref count, c);
                _position++;
            }

            while (Has(_position) && blocks.Text[_position] is ' ' or '\t')
                _position++;

            if (Has(_position) && blocks.Text[_position] is not (',' or '\r' or '\n'))
            {
                throw EngineException.Invalid(
                    fileField,
                    $"Field {index + 1} on line {_line} of {source} has '{blocks.Text[_position]}' after its closing quote. " +
                    "Write a quote inside a quoted value as two quotes (\"\").",
                    _line.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            return _quoted.AsSpan(0, count).Trim();
        }

        private void Append(ref int count, char c)
        {
            if (count == _quoted.Length)
                Array.Resize(ref _quoted, _quoted.Length * 2);
            _quoted[count++] = c;
        }

        private void SkipLineEnd()
        {
            if (!Has(_position))
                return;

            if (blocks.Text[_position] == '\r')
                _position++;
            if (Has(_position) && blocks.Text[_position] == '\n')
                _position++;
            _line++;
        }

        private string Intern(int index, ReadOnlySpan<char> value)
        {
            while (_pools.Count <= index)
                _pools.Add(new Dictionary<string, string>(StringComparer.Ordinal));

            var lookup = _pools[index].GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(value, out string? interned))
                return interned;

            string created = value.ToString();
            _pools[index].Add(created, created);
            return created;
        }
    }
}

/// <summary>Signals that a record continues past the decoded text; the parser decodes the next block and reads the record again.</summary>
internal sealed class MoreTextNeededException : Exception
{
    public static readonly MoreTextNeededException Instance = new();
}

/// <summary>
/// Decodes a stream as strict UTF-8, one block of bytes at a time, into a text buffer that keeps only the record
/// being read and the text after it. A byte order mark at the start is skipped. Invalid UTF-8 is rejected naming the
/// byte offset and line of the first invalid byte, both counted from the start of the stream.
/// </summary>
internal sealed class TextBlocks(Stream stream, string source, string fileField, int blockBytes)
{
    // Bytes read but not decoded yet (a multi-byte character cut by the block's end) stay at the start of _bytes.
    private readonly byte[] _bytes = new byte[blockBytes + 4];
    private int _pendingBytes;
    private long _decodedBytes;
    private long _decodedLines;
    private bool _started;

    /// <summary>Decoded text; characters from 0 to <see cref="Length"/> are valid.</summary>
    public char[] Text { get; private set; } = [];

    public int Length { get; private set; }

    /// <summary>True once the stream's last byte is decoded.</summary>
    public bool Final { get; private set; }

    /// <summary>Drops the text before <paramref name="keepFrom"/>, moves the rest to the start and decodes the next block after it.</summary>
    public void DecodeNext(int keepFrom)
    {
        int keptLength = Length - keepFrom;
        int needed = keptLength + _bytes.Length;
        if (Text.Length < needed)
        {
            var larger = new char[Math.Max(needed, 2 * Text.Length)];
            Text.AsSpan(keepFrom, keptLength).CopyTo(larger);
            Text = larger;
        }
        else
        {
            Text.AsSpan(keepFrom, keptLength).CopyTo(Text);
        }

        Length = keptLength;
        int read = stream.ReadAtLeast(_bytes.AsSpan(_pendingBytes, blockBytes), blockBytes, throwOnEndOfStream: false);
        Final = read < blockBytes;
        var bytes = _bytes.AsSpan(0, _pendingBytes + read);

        ReadOnlySpan<byte> byteOrderMark = [0xEF, 0xBB, 0xBF];
        int skipped = !_started && bytes.StartsWith(byteOrderMark) ? byteOrderMark.Length : 0;
        _started = true;

        var status = Utf8.ToUtf16(bytes[skipped..], Text.AsSpan(Length), out int bytesRead, out int charsWritten,
            replaceInvalidSequences: false, isFinalBlock: Final);
        int consumed = skipped + bytesRead;
        if (status == OperationStatus.InvalidData)
        {
            long offset = _decodedBytes + consumed;
            long line = _decodedLines + bytes[..consumed].Count((byte)'\n') + 1;
            throw EngineException.Invalid(
                fileField,
                $"{source} is not valid UTF-8: byte 0x{bytes[consumed]:X2} at byte offset {offset} (line {line}) starts an invalid byte sequence. " +
                "Save the file as UTF-8.",
                source);
        }

        Length += charsWritten;
        _decodedBytes += consumed;
        _decodedLines += bytes[..consumed].Count((byte)'\n');
        bytes[consumed..].CopyTo(_bytes);
        _pendingBytes = bytes.Length - consumed;
    }
}
