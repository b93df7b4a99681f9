using UnlearnDashboard.Build;

namespace UnlearnDashboard.Engine.Tests.Build;

public sealed class LibTorchSharpPatchTests
{
    private const string Version = "GLIBCXX_3.4.32";

    private static string OutputLibrary => Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");

    [Fact]
    public void OutputLibrary_IsWeakExactlyWhenHostLacksVersion()
    {
        string host = ElfVersionNeeds.FindHostLibStdCxx() ?? throw new InvalidOperationException("libstdc++.so.6 not found");
        bool hostHasVersion = ElfVersionNeeds.DefinesVersion(File.ReadAllBytes(host), Version);

        var need = Assert.Single(ElfVersionNeeds.Read(File.ReadAllBytes(OutputLibrary)), n => n.Version == Version);

        Assert.Equal("libstdc++.so.6", need.File);
        Assert.Equal(!hostHasVersion, need.IsWeak);
    }

    [Fact]
    public void MarkWeak_ChangesOnlyTheNamedRequirement()
    {
        byte[] original = File.ReadAllBytes(OutputLibrary);
        var target = ElfVersionNeeds.Read(original).Single(n => n.Version == Version);
        original[target.FlagsOffset] &= unchecked((byte)~ElfVersionNeeds.VerFlagWeak);
        byte[] patched = (byte[])original.Clone();

        bool changed = ElfVersionNeeds.MarkWeak(patched, Version);

        Assert.True(changed);
        var differing = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        Assert.Equal([target.FlagsOffset], differing.Select(i => (long)i));
        var before = ElfVersionNeeds.Read(original);
        var after = ElfVersionNeeds.Read(patched);
        Assert.Equal(before.Count, after.Count);
        Assert.All(after.Where(n => n.Version != Version), n => Assert.Equal(before.Single(b => b.Version == n.Version && b.File == n.File).Flags, n.Flags));
        Assert.True(after.Single(n => n.Version == Version).IsWeak);
        Assert.False(ElfVersionNeeds.MarkWeak(patched, Version));
    }

    [Fact]
    public void DefinesVersion_MatchesWholeNamesOnly()
    {
        byte[] library = "\0GLIBCXX_3.4.30\0GLIBCXX_3.4.3\0"u8.ToArray();

        Assert.True(ElfVersionNeeds.DefinesVersion(library, "GLIBCXX_3.4.30"));
        Assert.True(ElfVersionNeeds.DefinesVersion(library, "GLIBCXX_3.4.3"));
        Assert.False(ElfVersionNeeds.DefinesVersion(library, "GLIBCXX_3.4.32"));
        Assert.False(ElfVersionNeeds.DefinesVersion(library, "3.4.30"));
    }

    [Fact]
    public void TorchSharp_LoadsAndComputes()
    {
        using var tensor = TorchSharp.torch.arange(4, TorchSharp.torch.float64);

        Assert.Equal(6.0, tensor.sum().item<double>());
    }
}
