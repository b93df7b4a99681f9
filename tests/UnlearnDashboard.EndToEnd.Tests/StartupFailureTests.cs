namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary>A Compute process that cannot start exits with status 1 and one line naming the setting or file, without a stack trace.</summary>
public sealed class StartupFailureTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("unlearn-startup-").FullName;

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    [Fact]
    public async Task Start_DamagedSqliteFile_NamesTheFile()
    {
        byte[] garbage = new byte[20_000];
        new Random(7).NextBytes(garbage);
        string database = Path.Combine(_dataDirectory, "unlearn.db");
        await File.WriteAllBytesAsync(database, garbage);

        string log = await FailedStartLogAsync("--DataDirectory", _dataDirectory);

        Assert.Contains($"The SQLite database {database} could not be opened", log);
        Assert.Contains("file is not a database", log);
    }

    [Fact]
    public async Task Start_DataDirectoryIsFile_NamesIt()
    {
        string file = Path.Combine(_dataDirectory, "a-file");
        await File.WriteAllTextAsync(file, "not a folder");

        string log = await FailedStartLogAsync("--DataDirectory", file);

        Assert.Contains($"The data directory {file} could not be created", log);
    }

    [Fact]
    public async Task Start_UnreachablePostgres_NamesTheSetting()
    {
        string log = await FailedStartLogAsync(
            "--DataDirectory", _dataDirectory, "--Database:Provider", "Postgres",
            "--Database:ConnectionString", "Host=127.0.0.1;Port=1;Database=unlearn;Username=unlearn;Password=unlearn");

        Assert.Contains("Database:ConnectionString could not be opened", log);
    }

    [Fact]
    public async Task Start_InvalidOption_NamesTheOption()
    {
        string log = await FailedStartLogAsync("--DataDirectory", _dataDirectory, "--Jobs:MaxConcurrent", "0");

        Assert.Contains("Jobs:MaxConcurrent", log);
    }

    [Theory]
    [InlineData("Access:RateLimit:PermitsPerSecond", "-1")]
    [InlineData("Access:RateLimit:PermitsPerSecond", "NaN")]
    [InlineData("Access:RateLimit:Burst", "0")]
    [InlineData("Access:RateLimit:MaxCallers", "0")]
    [InlineData("Access:RateLimit:PermitsPerSecond", "1e-20")]
    [InlineData("Access:RateLimit:PermitsPerSecond", "abc")]
    [InlineData("Access:RateLimit:Burst", "1.5")]
    [InlineData("Access:SignInLockout:MaxFailures", "-1")]
    [InlineData("Access:SignInLockout:WindowSeconds", "0")]
    [InlineData("Access:SignInLockout:LockoutSeconds", "0")]
    [InlineData("Access:SignInLockout:MaxUserNames", "0")]
    [InlineData("Analysis:MaxConcurrent", "abc")]
    [InlineData("Analysis:MaxConcurrent", "0")]
    [InlineData("Tls:KeyPath", "key.pem")]
    public async Task Start_InvalidSetting_NamesTheOption(string option, string value)
    {
        string log = await FailedStartLogAsync("--DataDirectory", _dataDirectory, "--" + option, value);

        Assert.Contains(option, log);
    }

    [Fact]
    public async Task Start_MissingCertificate_NamesOptionAndPath()
    {
        string missing = Path.Combine(_dataDirectory, "missing.pem");

        string log = await FailedStartLogAsync("--DataDirectory", _dataDirectory, "--Tls:CertificatePath", missing);

        Assert.Contains($"Tls:CertificatePath '{missing}' does not exist", log);
    }

    [Fact]
    public async Task Start_WrongPfxPassword_NamesOptionAndPath()
    {
        var certificate = TestCertificate.Create(_dataDirectory);

        string log = await FailedStartLogAsync(
            "--DataDirectory", _dataDirectory, "--Tls:CertificatePath", certificate.PfxPath, "--Tls:Password", "wrong-password");

        Assert.Contains($"Tls:CertificatePath '{certificate.PfxPath}' could not be opened with Tls:Password", log);
    }

    [Fact]
    public async Task Start_PemWithoutKey_NamesKeyOption()
    {
        var certificate = TestCertificate.Create(_dataDirectory);

        string log = await FailedStartLogAsync("--DataDirectory", _dataDirectory, "--Tls:CertificatePath", certificate.CertificatePath);

        Assert.Contains($"Tls:CertificatePath '{certificate.CertificatePath}'", log);
        Assert.Contains("Tls:KeyPath", log);
    }

    [Fact]
    public async Task StartWeb_MissingComputeCaFile_NamesOptionAndPath()
    {
        string missing = Path.Combine(_dataDirectory, "missing-ca.pem");

        string log = await FailedWebStartLogAsync(
            "--ComputeCaCertificatePath", missing, "--Access:DataDirectory", _dataDirectory);

        Assert.Contains($"ComputeCaCertificatePath '{missing}' does not exist", log);
    }

    [Fact]
    public async Task StartWeb_MissingCertificate_NamesOptionAndPath()
    {
        string missing = Path.Combine(_dataDirectory, "missing.pem");

        string log = await FailedWebStartLogAsync(
            "--Tls:CertificatePath", missing, "--Access:DataDirectory", _dataDirectory);

        Assert.Contains($"Tls:CertificatePath '{missing}' does not exist", log);
    }

    private static Task<string> FailedStartLogAsync(params string[] arguments) =>
        FailedStartLogAsync("ComputeAssembly", "UnlearnDashboard.Compute", arguments);

    private static Task<string> FailedWebStartLogAsync(params string[] arguments) =>
        FailedStartLogAsync("WebAssembly", "UnlearnDashboard.Web", arguments);

    /// <summary>Starts a server, expects exit status 1, and returns its output after checking that it has no stack trace.</summary>
    private static async Task<string> FailedStartLogAsync(string assemblyKey, string product, string[] arguments)
    {
        await using var server = ServerProcess.Start(assemblyKey, arguments);

        int exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(90));

        string log = server.Log;
        Assert.True(exitCode == 1, $"exit code {exitCode}:\n{log}");
        Assert.Contains($"{product} did not start: ", log);
        Assert.DoesNotContain("   at ", log);
        return log;
    }
}
