using System.CommandLine;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Access;

/// <summary>
/// <c>unlearn whoami</c>, <c>unlearn users create|list|revoke</c> and <c>unlearn keys create|list|revoke|rotate</c>:
/// the caller's identity and the admin's management of users and API keys.
/// </summary>
internal static class AccessCommands
{
    public static Command CreateWhoAmI(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var command = new Command("whoami", "Show the user and role of the API key in use.") { server };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var identity = await connection.Access.WhoAmIAsync(new WhoAmIRequest(), cancellationToken: token);
            console.Out.WriteLine($"user: {identity.UserName}");
            console.Out.WriteLine($"role: {RoleText.Name(identity.Role)}");
            console.Out.WriteLine($"key:  {Formats.OrDash(identity.ApiKeyId)}");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    public static Command CreateUsers(CliConsole console) => new("users", "Create, list and revoke users (admin only), and set passwords.")
    {
        CreateUserCreate(console),
        CreateUserList(console),
        CreateUserRevoke(console),
        CreateUserSetPassword(console),
    };

    public static Command CreateKeys(CliConsole console) => new("keys", "Create, list, revoke and rotate API keys (admin only).")
    {
        CreateKeyCreate(console),
        CreateKeyList(console),
        CreateKeyRevoke(console),
        CreateKeyRotate(console),
    };

    private static Command CreateUserCreate(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var name = new Argument<string>("NAME") { Description = "User name: 1 to 64 letters, digits, '.', '-' or '_'." };
        var role = new Option<string>("--role")
        {
            Description = "Role: viewer, engineer, compliance or admin.",
            Required = true,
            HelpName = "ROLE",
        };
        var passwordVariable = new Option<string?>("--password-env")
        {
            Description = "Read the dashboard password (at least 12 characters) from this environment variable; "
                + "without it the server generates one and it is printed once.",
            HelpName = "VARIABLE",
        };
        var command = new Command("create", "Create a user; the dashboard password is printed once when the server generates it.")
        {
            server, name, role, passwordVariable,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var request = new CreateUserRequest
            {
                Name = parseResult.GetRequiredValue(name),
                Role = RoleText.Parse(parseResult.GetRequiredValue(role)),
                Password = ReadPassword(console, parseResult.GetValue(passwordVariable)),
            };
            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var response = await connection.Access.CreateUserAsync(request, cancellationToken: token);
            console.Out.WriteLine($"Created user {response.User.Name} with the role {RoleText.Name(response.User.Role)}.");
            if (response.GeneratedPassword.Length > 0)
                console.Out.WriteLine($"password: {response.GeneratedPassword}  (shown only now)");
            console.Out.WriteLine($"Create an API key for the CLI with 'unlearn keys create {response.User.Name}'.");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateUserList(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var json = CommonOptions.Json("the users");
        var command = new Command("list", "List users, revoked ones included.") { server, json };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);
            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var response = await connection.Access.ListUsersAsync(new ListUsersRequest(), cancellationToken: token);
            await ListOutput.WriteAsync(response, jsonPath, console, token, writer =>
            {
                var table = new TextTable("name", "role", "created", "revoked");
                foreach (var user in response.Users)
                    table.AddRow(user.Name, RoleText.Name(user.Role), Formats.Time(user.CreatedAt), Formats.Time(user.RevokedAt));
                table.Write(writer);
            });
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateUserRevoke(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var name = new Argument<string>("NAME") { Description = "The user to revoke; their keys and sessions stop working at once." };
        var command = new Command("revoke", "Revoke a user with all their keys and sessions.") { server, name };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var user = await connection.Access.RevokeUserAsync(new RevokeUserRequest { Name = parseResult.GetRequiredValue(name) },
                cancellationToken: token);
            console.Out.WriteLine($"Revoked user {user.Name} at {Formats.Time(user.RevokedAt)}.");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateKeyCreate(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var user = new Argument<string>("USER") { Description = "The user the key acts as." };
        var description = new Option<string?>("--description") { Description = "What the key is for, up to 200 characters.", HelpName = "TEXT" };
        var command = new Command("create", "Create an API key for a user; the secret is printed once.") { server, user, description };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var response = await connection.Access.CreateApiKeyAsync(
                new CreateApiKeyRequest { UserName = parseResult.GetRequiredValue(user), Description = parseResult.GetValue(description) ?? "" },
                cancellationToken: token);
            WriteNewKey(console, response, "Created");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateKeyList(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var user = new Option<string?>("--user") { Description = "List only this user's keys.", HelpName = "USER" };
        var all = new Option<bool>("--all") { Description = "Include revoked and rotated keys." };
        var json = CommonOptions.Json("the keys");
        var command = new Command("list", "List API keys without their secrets, newest first.") { server, user, all, json };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);
            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var request = new ListApiKeysRequest { UserName = parseResult.GetValue(user) ?? "", IncludeRevoked = parseResult.GetValue(all) };
            var response = await connection.Access.ListApiKeysAsync(request, cancellationToken: token);
            await ListOutput.WriteAsync(response, jsonPath, console, token, writer =>
            {
                var table = new TextTable("id", "user", "description", "created", "last used", "revoked");
                foreach (var key in response.Keys)
                {
                    table.AddRow(key.Id, key.UserName, Formats.OrDash(key.Description), Formats.Time(key.CreatedAt), Formats.Time(key.LastUsedAt),
                        Formats.Time(key.RevokedAt));
                }

                table.Write(writer);
            });
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateKeyRevoke(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var id = new Argument<string>("KEY_ID") { Description = "The key's public id, for example uk_0123456789ab." };
        var command = new Command("revoke", "Revoke an API key; calls with it fail at once.") { server, id };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var key = await connection.Access.RevokeApiKeyAsync(new RevokeApiKeyRequest { Id = parseResult.GetRequiredValue(id) },
                cancellationToken: token);
            console.Out.WriteLine($"Revoked API key {key.Id} of user {key.UserName}.");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateKeyRotate(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var id = new Argument<string>("KEY_ID") { Description = "The public id of the key to replace." };
        var command = new Command("rotate", "Replace an API key by a new one for the same user and revoke the old one.") { server, id };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var response = await connection.Access.RotateApiKeyAsync(new RotateApiKeyRequest { Id = parseResult.GetRequiredValue(id) },
                cancellationToken: token);
            WriteNewKey(console, response, "Rotated; new");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateUserSetPassword(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var name = new Argument<string?>("NAME")
        {
            Description = "The user whose dashboard password to set (admin only); omit it to set your own.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var passwordVariable = new Option<string?>("--password-env")
        {
            Description = "Read the new password (at least 12 characters) from this environment variable; "
                + "without it the server generates one and it is printed once.",
            HelpName = "VARIABLE",
        };
        var currentVariable = new Option<string?>("--current-password-env")
        {
            Description = "Read your current password from this environment variable; required to set your own password.",
            HelpName = "VARIABLE",
        };
        var command = new Command("set-password",
            "Set a user's dashboard password and end all of that user's dashboard sessions. An admin sets another user's "
            + "password; anyone sets their own with the current one.")
        {
            server, name, passwordVariable, currentVariable,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var request = new SetPasswordRequest
            {
                UserName = parseResult.GetValue(name) ?? "",
                NewPassword = ReadPassword(console, parseResult.GetValue(passwordVariable), "--password-env"),
                CurrentPassword = ReadPassword(console, parseResult.GetValue(currentVariable), "--current-password-env"),
            };
            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var response = await connection.Access.SetPasswordAsync(request, cancellationToken: token);
            console.Out.WriteLine($"Set the password of user {response.UserName} and ended {response.SessionsEnded} dashboard session(s).");
            if (response.GeneratedPassword.Length > 0)
                console.Out.WriteLine($"password: {response.GeneratedPassword}  (shown only now)");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static void WriteNewKey(CliConsole console, CreateApiKeyResponse response, string verb)
    {
        console.Out.WriteLine($"{verb} API key {response.Key.Id} for user {response.Key.UserName}.");
        console.Out.WriteLine($"secret: {response.Secret}  (shown only now; the server keeps only its hash)");
    }

    private static string ReadPassword(CliConsole console, string? variable, string option = "--password-env")
    {
        if (string.IsNullOrEmpty(variable))
            return "";

        return console.GetEnvironmentVariable(variable) is { Length: > 0 } password
            ? password
            : throw new UsageException($"invalid {option} {variable}: the environment variable is not set or empty.");
    }
}

/// <summary>Converts between roles and their names on the command line.</summary>
internal static class RoleText
{
    public static string Name(Role role) => role switch
    {
        Role.Viewer => "viewer",
        Role.Engineer => "engineer",
        Role.Compliance => "compliance",
        Role.Admin => "admin",
        Role.Dashboard => "dashboard (retired)",
        _ => $"unknown ({(int)role})",
    };

    /// <summary>Parses a role name; throws <see cref="UsageException"/> naming the value for anything else.</summary>
    public static Role Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "viewer" => Role.Viewer,
        "engineer" => Role.Engineer,
        "compliance" => Role.Compliance,
        "admin" => Role.Admin,
        _ => throw new UsageException($"invalid --role '{text}': expected viewer, engineer, compliance or admin."),
    };
}
