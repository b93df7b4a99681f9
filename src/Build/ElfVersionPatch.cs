#nullable enable
// Compiled twice: by MSBuild's RoslynCodeTaskFactory as the MarkElfVersionWeak build task, and by the
// build tests (with ELF_PATCH_TESTS defined) for the pure ELF logic alone.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace UnlearnDashboard.Build
{
    /// <summary>One entry of an ELF <c>.gnu.version_r</c> section: a symbol version that a library needs.</summary>
    public sealed class ElfVersionNeed
    {
        public ElfVersionNeed(string file, string version, ushort flags, long flagsOffset)
        {
            File = file;
            Version = version;
            Flags = flags;
            FlagsOffset = flagsOffset;
        }

        /// <summary>Library that provides the version, for example <c>libstdc++.so.6</c>.</summary>
        public string File { get; }

        /// <summary>Version name, for example <c>GLIBCXX_3.4.32</c>.</summary>
        public string Version { get; }

        /// <summary>The <c>vna_flags</c> field; bit 0x2 is <c>VER_FLG_WEAK</c>.</summary>
        public ushort Flags { get; }

        /// <summary>Byte offset of <c>vna_flags</c> in the file.</summary>
        public long FlagsOffset { get; }

        public bool IsWeak => (Flags & ElfVersionNeeds.VerFlagWeak) != 0;
    }

    /// <summary>
    /// Reads and edits the version requirements (<c>.gnu.version_r</c>) of a 64-bit little-endian ELF file.
    /// A weak requirement that the loaded library lacks is not an error for glibc's dynamic loader, so
    /// marking an unused requirement weak lets a library load against an older libstdc++.
    /// </summary>
    public static class ElfVersionNeeds
    {
        public const ushort VerFlagWeak = 0x2;
        private const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>Lists every version requirement in the file.</summary>
        public static List<ElfVersionNeed> Read(byte[] elf)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("only 64-bit little-endian ELF files are supported");

            long sectionTable = (long)BitConverter.ToUInt64(elf, 0x28);
            int sectionSize = BitConverter.ToUInt16(elf, 0x3A);
            int sectionCount = BitConverter.ToUInt16(elf, 0x3C);
            var needs = new List<ElfVersionNeed>();

            for (int i = 0; i < sectionCount; i++)
            {
                long header = sectionTable + (long)i * sectionSize;
                if (BitConverter.ToUInt32(elf, (int)header + 4) != ShtGnuVerneed)
                    continue;

                long offset = (long)BitConverter.ToUInt64(elf, (int)header + 0x18);
                int linkedStrings = (int)BitConverter.ToUInt32(elf, (int)header + 0x28);
                int entryCount = (int)BitConverter.ToUInt32(elf, (int)header + 0x2C);
                long strings = (long)BitConverter.ToUInt64(elf, (int)(sectionTable + (long)linkedStrings * sectionSize) + 0x18);

                long entry = offset;
                for (int e = 0; e < entryCount; e++)
                {
                    int auxCount = BitConverter.ToUInt16(elf, (int)entry + 2);
                    string file = ReadString(elf, strings + BitConverter.ToUInt32(elf, (int)entry + 4));
                    long aux = entry + BitConverter.ToUInt32(elf, (int)entry + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        string version = ReadString(elf, strings + BitConverter.ToUInt32(elf, (int)aux + 8));
                        needs.Add(new ElfVersionNeed(file, version, flags, aux + 4));
                        aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                    }

                    entry += BitConverter.ToUInt32(elf, (int)entry + 12);
                }
            }

            return needs;
        }

        /// <summary>Sets <c>VER_FLG_WEAK</c> on the named requirement; returns false when it is absent or already weak.</summary>
        public static bool MarkWeak(byte[] elf, string version)
        {
            bool changed = false;
            foreach (var need in Read(elf))
            {
                if (need.Version != version || need.IsWeak)
                    continue;

                ushort flags = (ushort)(need.Flags | VerFlagWeak);
                elf[need.FlagsOffset] = (byte)(flags & 0xff);
                elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
                changed = true;
            }

            return changed;
        }

        /// <summary>Whether a shared library defines the symbol version, judged by its NUL-terminated name.</summary>
        public static bool DefinesVersion(byte[] library, string version)
        {
            byte[] pattern = Encoding.ASCII.GetBytes(version + "\0");
            for (int i = 0; i + pattern.Length <= library.Length; i++)
            {
                int j = 0;
                while (j < pattern.Length && library[i + j] == pattern[j])
                    j++;
                if (j == pattern.Length && (i == 0 || library[i - 1] == 0))
                    return true;
            }

            return false;
        }

        /// <summary>Finds the host's libstdc++.so.6 in the usual Linux library folders, or returns null.</summary>
        public static string? FindHostLibStdCxx()
        {
            string[] folders =
            {
                "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib",
            };
            foreach (string folder in folders)
            {
                string path = Path.Combine(folder, "libstdc++.so.6");
                if (System.IO.File.Exists(path))
                    return path;
            }

            return null;
        }

        private static string ReadString(byte[] elf, long offset)
        {
            int end = (int)offset;
            while (elf[end] != 0)
                end++;
            return Encoding.ASCII.GetString(elf, (int)offset, end - (int)offset);
        }
    }

#if !ELF_PATCH_TESTS
    /// <summary>
    /// Marks one symbol-version requirement weak in every matching library under a folder, but only when
    /// the host's libstdc++ lacks that version. TorchSharp 0.107.0's libLibTorchSharp.so needs
    /// GLIBCXX_3.4.32 (GCC 13) for <c>std::ios_base_library_init</c>, which it never relocates, while
    /// Debian 12 ships libstdc++ up to GLIBCXX_3.4.30.
    /// </summary>
    public sealed class MarkElfVersionWeak : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public string Folder { get; set; } = "";

        [Microsoft.Build.Framework.Required]
        public string FileName { get; set; } = "";

        [Microsoft.Build.Framework.Required]
        public string Version { get; set; } = "";

        public override bool Execute()
        {
            if (!Directory.Exists(Folder))
                return true;

            string? host = ElfVersionNeeds.FindHostLibStdCxx();
            if (host == null || ElfVersionNeeds.DefinesVersion(System.IO.File.ReadAllBytes(host), Version))
                return true;

            foreach (string path in Directory.EnumerateFiles(Folder, FileName, SearchOption.AllDirectories))
            {
                byte[] bytes = System.IO.File.ReadAllBytes(path);
                if (!ElfVersionNeeds.MarkWeak(bytes, Version))
                    continue;

                // Write beside and rename, so an interrupted build never leaves a half-written library.
                string temporary = path + ".weak-tmp";
                System.IO.File.WriteAllBytes(temporary, bytes);
                System.IO.File.Replace(temporary, path, null);
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                    "Marked {0} weak in {1}: {2} lacks it.", Version, path, host);
            }

            return true;
        }
    }
#endif
}
