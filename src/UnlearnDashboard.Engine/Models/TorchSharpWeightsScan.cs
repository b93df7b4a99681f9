using System.Text;
using TorchSharp;

namespace UnlearnDashboard.Engine.Models;

/// <summary>
/// Explains why TorchSharp could not load a weights file into a network, by reading the file's layout without
/// loading it. TorchSharp's <c>Module.save</c> writes the entry count as unsigned LEB128, then per entry the
/// name as a .NET <see cref="BinaryWriter"/> string, the dtype, the number of dimensions and each size as
/// LEB128, and the raw element bytes (TorchSharp 0.107, TensorExtensionMethods.Save).
/// </summary>
internal static class TorchSharpWeightsScan
{
    private static ReadOnlySpan<byte> ZipSignature => "PK\u0003\u0004"u8;

    /// <summary>
    /// Returns the first cause found: an empty file, a zip archive, a tensor whose name or shape differs from
    /// the network's, a different tensor count or a file that ends early. Returns null when none is found.
    /// </summary>
    public static string? DescribeMismatch(byte[] weights, IReadOnlyList<(string Name, long[] Shape)> expected)
    {
        if (weights.Length == 0)
            return "the file is empty";

        if (weights.AsSpan().StartsWith(ZipSignature))
            return "it is a zip archive, the format PyTorch's torch.save writes, not TorchSharp weights. Import PyTorch weights with ImportModel";

        using var reader = new BinaryReader(new MemoryStream(weights, writable: false), Encoding.UTF8);
        string where = "the tensor count";
        try
        {
            long count = ReadLeb128(reader);
            for (int i = 0; i < count; i++)
            {
                where = $"entry {i + 1}";
                string name = reader.ReadString();
                where = name;
                var dtype = (torch.ScalarType)ReadLeb128(reader);
                long dimensions = ReadLeb128(reader);
                if (dimensions > 8)
                    return null;

                var shape = new long[dimensions];
                for (int d = 0; d < dimensions; d++)
                    shape[d] = ReadLeb128(reader);

                if (i >= expected.Count)
                    return $"the file has {count} tensors, but the model has {expected.Count}";

                var (expectedName, expectedShape) = expected[i];
                if (name != expectedName)
                    return $"tensor {i + 1} of the file is {name} {Format(shape)}, but the model expects {expectedName} {Format(expectedShape)}";

                if (!shape.SequenceEqual(expectedShape))
                    return $"{name} {Format(shape)} in the file, {Format(expectedShape)} expected";

                int? elementBytes = dtype switch
                {
                    torch.ScalarType.Float32 => 4,
                    torch.ScalarType.Float64 => 8,
                    _ => null,
                };
                if (elementBytes is null)
                    return null;

                long dataBytes = checked(shape.Aggregate(1L, (product, size) => product * size) * elementBytes.Value);
                if (reader.BaseStream.Length - reader.BaseStream.Position < dataBytes)
                    return $"the file ends after {weights.Length} bytes, inside the data of {name}, so it is truncated";

                reader.BaseStream.Seek(dataBytes, SeekOrigin.Current);
            }

            if (count != expected.Count)
                return $"the file has {count} tensors, but the model has {expected.Count}";
        }
        catch (EndOfStreamException)
        {
            return $"the file ends after {weights.Length} bytes, inside {where}, so it is truncated";
        }
        catch (Exception error) when (error is InvalidDataException or FormatException or OverflowException)
        {
            return null;
        }

        return null;
    }

    private static long ReadLeb128(BinaryReader reader)
    {
        long value = 0;
        for (int shift = 0; shift < 63; shift += 7)
        {
            byte next = reader.ReadByte();
            value |= (long)(next & 0x7F) << shift;
            if ((next & 0x80) == 0)
                return value;
        }

        throw new InvalidDataException("An LEB128 number is longer than 9 bytes.");
    }

    private static string Format(long[] shape) => $"[{string.Join(",", shape)}]";
}
