using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Client;

/// <summary>Derives a dataset name from the training file's name and a hash of the files and the spec.</summary>
internal static class DatasetNaming
{
    /// <summary>Longest file-name stem kept, in characters.</summary>
    private const int MaxStemLength = 48;

    /// <summary>
    /// Returns "STEM-HASH8", for example "adult-3f9c01ab". The hash covers both files and every spec
    /// field but the name, so the same upload gets the same name and any change gets a new one.
    /// </summary>
    public static string Create(LocalDatasetFiles files, DatasetSpec spec)
    {
        var unnamedSpec = spec.Clone();
        unnamedSpec.Name = "";

        var content = Encoding.UTF8.GetBytes($"{files.TrainSha256}\n{files.TestSha256}\n");
        var hash = SHA256.HashData([.. content, .. unnamedSpec.ToByteArray()]);
        var suffix = Convert.ToHexStringLower(hash)[..8];

        return $"{Stem(files.TrainPath)}-{suffix}";
    }

    /// <summary>Keeps the characters a dataset name allows (letters, digits, '-', '_', '.') and replaces the others with '-'.</summary>
    internal static string Stem(string path)
    {
        var stem = new StringBuilder();
        foreach (var character in Path.GetFileNameWithoutExtension(path))
        {
            stem.Append(char.IsAsciiLetterOrDigit(character) || character is '-' or '_' or '.' ? character : '-');
        }

        var trimmed = stem.ToString().Trim('-', '.', '_');
        if (trimmed.Length > MaxStemLength)
        {
            trimmed = trimmed[..MaxStemLength];
        }

        return trimmed.Length == 0 ? "dataset" : trimmed;
    }
}
