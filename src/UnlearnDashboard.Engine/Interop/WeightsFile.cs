using System.Buffers.Binary;
using System.Collections;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Interop;

/// <summary>Format of a weights file, detected from its first bytes.</summary>
public enum WeightsFormat
{
    /// <summary>A zip archive written by <c>torch.save</c> (PyTorch 1.6 and later).</summary>
    TorchZip,

    /// <summary>8-byte little-endian header length, a JSON header, then the raw tensor data.</summary>
    Safetensors,
}

/// <summary>
/// Reads the tensors of a PyTorch state dict (<c>torch.save(model.state_dict())</c>) or a safetensors file
/// with TorchSharp.PyBridge. A pickle that contains a whole model, <c>torch.save(model)</c>, is rejected before
/// it is unpickled, because it refers to the Python classes of the model rather than to tensors alone.
/// </summary>
public static partial class WeightsFile
{
    /// <summary>Largest safetensors header accepted, in bytes; the format's reference reader uses the same 100 MB bound.</summary>
    private const long MaxSafetensorsHeaderBytes = 100_000_000;

    /// <summary>
    /// Largest data.pkl read for the check, in bytes. A state dict's pickle lists only names and storage keys
    /// (623 bytes for the 3-layer fixture), so this leaves room for large state dicts and stops a zip bomb.
    /// </summary>
    private const long MaxPickleBytes = 64L * 1024 * 1024;

    /// <summary>Python globals that a state dict pickle refers to. Anything else means the pickle contains objects other than tensors.</summary>
    private static readonly HashSet<string> StateDictGlobals = new(StringComparer.Ordinal)
    {
        "collections OrderedDict",
        "torch._utils _rebuild_tensor_v2",
        "torch._utils _rebuild_parameter",
        "torch._utils _rebuild_parameter_with_state",
        "torch FloatStorage",
        "torch DoubleStorage",
        "torch HalfStorage",
        "torch BFloat16Storage",
        "torch LongStorage",
        "torch IntStorage",
        "torch ShortStorage",
        "torch CharStorage",
        "torch ByteStorage",
        "torch BoolStorage",
    };

    /// <summary>Tells the format from the first bytes, or throws naming what the file looks like.</summary>
    public static WeightsFormat Detect(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length >= 4 && bytes[0] == (byte)'P' && bytes[1] == (byte)'K' && bytes[2] == 3 && bytes[3] == 4)
            return WeightsFormat.TorchZip;

        if (bytes.Length >= 9 && bytes[8] == (byte)'{')
            return WeightsFormat.Safetensors;

        if (bytes.Length >= 2 && bytes[0] == 0x80 && bytes[1] <= 5)
        {
            throw Invalid(source,
                $"{source} is a bare pickle, torch.save's legacy format (PyTorch before 1.6, or _use_new_zipfile_serialization=False), " +
                "which is not read. Save it again with torch.save(model.state_dict(), path) and the default zip format, or as safetensors.");
        }

        throw Invalid(source,
            $"{source} is neither a PyTorch state dict (a zip archive from torch.save) nor a safetensors file; its first bytes are " +
            $"{Convert.ToHexString(bytes[..Math.Min(8, bytes.Length)])}.");
    }

    /// <summary>
    /// Reads every tensor of a weights file by name, on the CPU. The caller owns the tensors. Throws
    /// <see cref="EngineException"/> (invalid argument, field <c>weights</c>) for a whole pickled model, a
    /// damaged file or a value that is not a tensor.
    /// </summary>
    public static Dictionary<string, Tensor> Read(byte[] bytes, string source)
    {
        var format = Detect(bytes, source);
        return format == WeightsFormat.TorchZip ? ReadStateDict(bytes, source) : ReadSafetensors(bytes, source);
    }

    /// <summary>Writes tensors as a safetensors file with PyBridge.</summary>
    public static byte[] WriteSafetensors(Dictionary<string, Tensor> tensors)
    {
        using var stream = new MemoryStream();
        Safetensors.SaveStateDict(stream, tensors, leaveOpen: true);
        return stream.ToArray();
    }

    private static Dictionary<string, Tensor> ReadStateDict(byte[] bytes, string source)
    {
        CheckPickleHoldsOnlyTensors(bytes, source);

        Hashtable table;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
        }
        catch (Exception error) when (error is not EngineException)
        {
            throw Invalid(source, $"{source} could not be read as a PyTorch state dict ({bytes.Length} bytes): {error.Message}");
        }

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (DictionaryEntry entry in table)
            {
                if (entry.Key is not string name || entry.Value is not Tensor tensor)
                {
                    throw Invalid(source,
                        $"{source} maps '{entry.Key}' to a {entry.Value?.GetType().Name ?? "null"}, not a tensor. " +
                        "Save only the state dict: torch.save(model.state_dict(), path).");
                }

                tensors[name] = tensor;
            }

            return tensors;
        }
        catch
        {
            DisposeAll(table.Values.OfType<Tensor>());
            throw;
        }
    }

    private static Dictionary<string, Tensor> ReadSafetensors(byte[] bytes, string source)
    {
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxSafetensorsHeaderBytes || (long)headerLength > bytes.Length - 8)
        {
            throw Invalid(source,
                $"{source} is not a valid safetensors file: its header length is {headerLength} bytes, but the file has {bytes.Length} bytes.");
        }

        CheckSafetensorsEntries(bytes, (int)headerLength, source);
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            return Safetensors.LoadStateDict(stream, leaveOpen: true);
        }
        catch (Exception error)
        {
            // Native errors carry a C++ stack trace after their first line; the caller needs only the message.
            string message = error.Message.Split('\n', 2)[0].Trim();
            throw Invalid(source, $"{source} could not be read as a safetensors file ({bytes.Length} bytes): {message}");
        }
    }

    /// <summary>
    /// Checks every tensor entry of a safetensors header before anything is allocated: a known dtype, a shape of
    /// non-negative sizes, and data offsets inside the file whose length matches the shape. A header that claims
    /// a [100000,100000] tensor over a few kilobytes is rejected here, naming the tensor.
    /// </summary>
    private static void CheckSafetensorsEntries(byte[] bytes, int headerLength, string source)
    {
        long dataLength = bytes.Length - 8L - headerLength;
        JsonDocument header;
        try
        {
            header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        }
        catch (JsonException error)
        {
            throw Invalid(source, $"{source} is not a valid safetensors file: its header is not JSON ({error.Message}).");
        }

        using (header)
        {
            if (header.RootElement.ValueKind != JsonValueKind.Object)
                throw Invalid(source, $"{source} is not a valid safetensors file: its header is not a JSON object.");

            foreach (var entry in header.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                    continue;

                long itemSize = entry.Value.TryGetProperty("dtype", out var dtype) ? ItemSize(dtype.GetString()) : 0;
                if (itemSize == 0)
                    throw Invalid(source, $"Tensor {entry.Name} in {source} has dtype {(dtype.ValueKind == JsonValueKind.String ? dtype.GetString() : "(none)")}, which is not supported.");

                long elements = 1;
                if (!entry.Value.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array)
                    throw Invalid(source, $"Tensor {entry.Name} in {source} has no shape.");
                foreach (var size in shape.EnumerateArray())
                {
                    if (!size.TryGetInt64(out long value) || value < 0 || (value > 0 && elements > long.MaxValue / value / itemSize))
                        throw Invalid(source, $"Tensor {entry.Name} in {source} has shape {shape.GetRawText()}, which is not a list of sizes that fits in memory.");
                    elements *= value;
                }

                if (!entry.Value.TryGetProperty("data_offsets", out var offsets) || offsets.GetArrayLength() != 2
                    || !offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end)
                    || begin < 0 || end < begin || end > dataLength)
                {
                    throw Invalid(source, $"Tensor {entry.Name} in {source} has data offsets outside the file's {dataLength} bytes of data.");
                }

                if (end - begin != elements * itemSize)
                {
                    throw Invalid(source,
                        $"Tensor {entry.Name} in {source} has shape {shape.GetRawText()}, which needs {elements * itemSize} bytes, but its data has {end - begin}.");
                }
            }
        }
    }

    private static long ItemSize(string? dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => 0,
    };

    /// <summary>
    /// Lists the Python globals that the archive's pickle refers to and rejects any that a state dict does not
    /// use, such as <c>__main__.Net</c> or <c>torch.nn.modules.linear.Linear</c> in a whole pickled model.
    /// </summary>
    private static void CheckPickleHoldsOnlyTensors(byte[] bytes, string source)
    {
        byte[] pickle;
        try
        {
            using var archive = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            var entry = archive.Entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) || e.FullName == "data.pkl")
                        ?? throw Invalid(source, $"{source} is a zip archive without data.pkl, so torch.save did not write it. Save the model with torch.save(model.state_dict(), path).");
            if (entry.Length > MaxPickleBytes)
            {
                throw Invalid(source,
                    $"{source} has a {entry.Length}-byte data.pkl, over the {MaxPickleBytes} bytes a state dict's pickle could need; " +
                    "save the weights with torch.save(model.state_dict(), path) or as safetensors.");
            }

            using var input = entry.Open();
            using var buffer = new MemoryStream();
            input.CopyTo(buffer);
            pickle = buffer.ToArray();
        }
        catch (InvalidDataException error)
        {
            throw Invalid(source, $"{source} is a damaged zip archive: {error.Message}");
        }

        var foreign = PickleGlobals(pickle).Where(g => !StateDictGlobals.Contains(g)).Distinct().ToList();
        if (foreign.Count == 0)
            return;

        string classes = string.Join(", ", foreign.Take(5).Select(g => g.Replace(' ', '.')));
        bool wholeModel = foreign.Any(g => g.StartsWith("torch.nn.modules", StringComparison.Ordinal) || g.StartsWith("__main__ ", StringComparison.Ordinal));
        string what = wholeModel ? "a whole pickled model (torch.save(model))" : "Python objects other than tensors";
        throw Invalid(source,
            $"{source} contains {what}: it refers to {classes}. Only state dicts are imported, because loading a pickled model " +
            "needs its Python classes. Save the weights with torch.save(model.state_dict(), path) or as safetensors.");
    }

    /// <summary>
    /// Returns "module name" for each GLOBAL opcode ('c' module '\n' name '\n', pickle protocols 0 to 3) and for
    /// each STACK_GLOBAL (0x93) whose two operands are the short strings just before it (protocol 4 and later).
    /// </summary>
    private static IEnumerable<string> PickleGlobals(byte[] pickle)
    {
        string text = Encoding.Latin1.GetString(pickle);
        foreach (Match match in GlobalOpcode().Matches(text))
            yield return $"{match.Groups[1].Value} {match.Groups[2].Value}";
        foreach (Match match in StackGlobalOpcode().Matches(text))
            yield return $"{match.Groups[2].Value} {match.Groups[4].Value}";
    }

    // 'c' followed by two newline-terminated dotted names.
    [GeneratedRegex(@"c([A-Za-z_][\w.]*)\n([A-Za-z_][\w.]*)\n")]
    private static partial Regex GlobalOpcode();

    // SHORT_BINUNICODE (0x8C, 1-byte length) module, optional MEMOIZE (0x94), SHORT_BINUNICODE name, optional MEMOIZE, STACK_GLOBAL (0x93).
    [GeneratedRegex(@"\x8C([\x01-\xFF])([A-Za-z_][\w.]*)\x94?\x8C([\x01-\xFF])([A-Za-z_][\w.]*)\x94?\x93")]
    private static partial Regex StackGlobalOpcode();

    internal static void DisposeAll(IEnumerable<Tensor> tensors)
    {
        foreach (var tensor in tensors)
            tensor.Dispose();
    }

    private static EngineException Invalid(string source, string message) => EngineException.Invalid("weights", message, source);
}
