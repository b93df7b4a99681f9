using UnlearnDashboard.Cli;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary><c>unlearn whoami</c>, <c>unlearn users</c> and <c>unlearn keys</c> against a real Compute process without demo data.</summary>
public sealed class CliAccessTests : IAsyncLifetime
{
    private ComputeProcess? _server;

    private ComputeProcess Server => _server ?? throw new InvalidOperationException("Compute is not started.");

    public async Task InitializeAsync() => _server = await ComputeProcess.StartAsync("--SeedDemo", "false");

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }

    [Fact]
    public async Task WhoAmI_KeyFromEnvironment_PrintsUserAndRole()
    {
        var (exitCode, output, error) = await RunCliAsync(new Dictionary<string, string> { ["UNLEARN_API_KEY"] = Server.ApiKey("compliance") },
            "whoami", "--server", Server.Url);

        Assert.True(exitCode == 0, $"exit code {exitCode}\nstderr:\n{error}");
        Assert.Contains("user: compliance", output);
        Assert.Contains("role: compliance", output);
    }

    [Fact]
    public async Task WhoAmI_NoKey_SaysHowToGetOne()
    {
        var (exitCode, _, error) = await RunCliAsync([], "whoami", "--server", Server.Url);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("UNAUTHENTICATED", error);
        Assert.Contains("credentials.json", error);
    }

    [Fact]
    public async Task UsersCreate_ByEngineer_IsPermissionDenied()
    {
        var (exitCode, _, error) = await RunCliAsync([], "users", "create", "zoe", "--role", "viewer", "--server", Server.Url,
            "--api-key", Server.ApiKey("engineer"));

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("PERMISSION_DENIED", error);
        Assert.Contains("admin", error);
    }

    [Fact]
    public async Task UsersAndKeys_AdminLifecycle_Works()
    {
        string admin = Server.ApiKey("admin");

        var created = await RunCliAsync([], "users", "create", "alice", "--role", "compliance", "--server", Server.Url, "--api-key", admin);
        var key = await RunCliAsync([], "keys", "create", "alice", "--description", "laptop", "--server", Server.Url, "--api-key", admin);
        string secret = key.Output.Split('\n').Single(l => l.StartsWith("secret: ", StringComparison.Ordinal))["secret: ".Length..].Split(' ')[0];
        var whoami = await RunCliAsync([], "whoami", "--server", Server.Url, "--api-key", secret);
        string keyId = secret[..15];
        var rotated = await RunCliAsync([], "keys", "rotate", keyId, "--server", Server.Url, "--api-key", admin);
        var oldKey = await RunCliAsync([], "whoami", "--server", Server.Url, "--api-key", secret);
        var keys = await RunCliAsync([], "keys", "list", "--user", "alice", "--all", "--server", Server.Url, "--api-key", admin);
        var revoked = await RunCliAsync([], "users", "revoke", "alice", "--server", Server.Url, "--api-key", admin);
        var users = await RunCliAsync([], "users", "list", "--server", Server.Url, "--api-key", admin);

        Assert.True(created.ExitCode == 0, created.Error);
        Assert.Contains("password: ", created.Output);
        Assert.True(key.ExitCode == 0, key.Error);
        Assert.Contains("user: alice", whoami.Output);
        Assert.True(rotated.ExitCode == 0, rotated.Error);
        Assert.Equal(ExitCodes.Failure, oldKey.ExitCode);
        Assert.Equal(3, keys.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains(keyId, keys.Output);
        Assert.True(revoked.ExitCode == 0, revoked.Error);
        Assert.Matches(@"(?m)^alice\s+compliance\s+\S+ \S+\s+\d{4}-", users.Output);
    }

    [Fact]
    public async Task UsersSetPassword_AdminThenOwn_Works()
    {
        string admin = Server.ApiKey("admin");
        var environment = new Dictionary<string, string>
        {
            ["FIRST_PASSWORD"] = "the first set-password passphrase",
            ["SECOND_PASSWORD"] = "the second set-password passphrase",
            ["WRONG_PASSWORD"] = "not the current passphrase",
        };
        await RunCliAsync([], "users", "create", "maya", "--role", "viewer", "--server", Server.Url, "--api-key", admin);
        var key = await RunCliAsync([], "keys", "create", "maya", "--server", Server.Url, "--api-key", admin);
        string secret = key.Output.Split('\n').Single(l => l.StartsWith("secret: ", StringComparison.Ordinal)).Split(' ')[1];

        var byAdmin = await RunCliAsync(environment, "users", "set-password", "maya", "--password-env", "FIRST_PASSWORD",
            "--server", Server.Url, "--api-key", admin);
        var wrongCurrent = await RunCliAsync(environment, "users", "set-password", "--current-password-env", "WRONG_PASSWORD",
            "--password-env", "SECOND_PASSWORD", "--server", Server.Url, "--api-key", secret);
        var own = await RunCliAsync(environment, "users", "set-password", "--current-password-env", "FIRST_PASSWORD",
            "--password-env", "SECOND_PASSWORD", "--server", Server.Url, "--api-key", secret);
        var generated = await RunCliAsync([], "users", "set-password", "maya", "--server", Server.Url, "--api-key", admin);

        Assert.True(byAdmin.ExitCode == 0, byAdmin.Error);
        Assert.Contains("Set the password of user maya", byAdmin.Output);
        Assert.DoesNotContain("password: ", byAdmin.Output);
        Assert.Equal(ExitCodes.Failure, wrongCurrent.ExitCode);
        Assert.Contains("PERMISSION_DENIED", wrongCurrent.Error);
        Assert.Contains("current_password", wrongCurrent.Error);
        Assert.True(own.ExitCode == 0, own.Error);
        Assert.True(generated.ExitCode == 0, generated.Error);
        Assert.Contains("password: ", generated.Output);
        Assert.DoesNotContain(environment["SECOND_PASSWORD"], Server.Log);
    }

    [Fact]
    public async Task Log_HasNoKeysOrPasswords()
    {
        const string Password = "a password for the log test";
        string admin = Server.ApiKey("admin");
        var environment = new Dictionary<string, string> { ["TEST_PASSWORD"] = Password };
        await RunCliAsync(environment, "users", "create", "logan", "--role", "engineer", "--password-env", "TEST_PASSWORD",
            "--server", Server.Url, "--api-key", admin);
        var key = await RunCliAsync([], "keys", "create", "logan", "--server", Server.Url, "--api-key", admin);
        await RunCliAsync([], "whoami", "--server", Server.Url, "--api-key", "uk_000000000000_wrong");
        var secrets = new[] { "viewer", "engineer", "compliance", "admin" }.Select(role => Server.ApiKey(role))
            .Append(key.Output.Split('\n').Single(l => l.StartsWith("secret: ", StringComparison.Ordinal)).Split(' ')[1])
            .Append("uk_000000000000_wrong");

        string log = Server.Log;

        Assert.All(secrets, secret => Assert.DoesNotContain(secret, log));
        Assert.DoesNotContain(Password, log);
        Assert.Single(log.Split('\n'), line => line.Contains("The dashboard password of user admin", StringComparison.Ordinal));
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunCliAsync(Dictionary<string, string> environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole(output, error, ErrorIsTerminal: false, name => environment.GetValueOrDefault(name));
        int exitCode = await CliApp.RunAsync(args, console, CancellationToken.None);
        return (exitCode, output.ToString(), error.ToString());
    }
}
