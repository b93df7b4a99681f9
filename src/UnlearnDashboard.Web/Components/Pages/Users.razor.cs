using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Access;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Components.Pages;

/// <summary>
/// The admin's page: creates and revokes users, and creates, rotates and revokes API keys. A new key's secret or
/// a generated password is shown once, with a copy button. The compute server checks every input again.
/// </summary>
public sealed partial class Users : ComputePage
{
    public const int MaxUserNameLength = 64;
    public const int MinPasswordLength = 12;
    public const int MaxDescriptionLength = 200;

    private static readonly Role[] AssignableRoles = [Role.Viewer, Role.Engineer, Role.Compliance, Role.Admin];

    private readonly NewUserForm _newUser = new();
    private readonly NewKeyForm _newKey = new();
    private IReadOnlyList<User> _users = [];
    private IReadOnlyList<ApiKey> _keys = [];
    private SignedInUser _user = SignedInUser.Anonymous;
    private ShownSecret? _secret;
    private bool _includeRevokedKeys;
    private bool _loading = true;
    private bool _busy;
    private bool _userAttempted;
    private bool _keyAttempted;
    private string? _error;

    [Inject]
    private IComputeAccess Access { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    private string? NewUserNameError
    {
        get
        {
            string name = _newUser.Name.Trim();
            if (name.Length == 0)
                return "Enter the new user's name.";
            if (name.Length > MaxUserNameLength)
                return $"The name has {name.Length} characters; at most {MaxUserNameLength} are allowed.";
            if (!UserNamePattern().IsMatch(name))
                return $"The name '{name}' may contain only letters, digits, '.', '-' and '_'.";
            if (_users.Any(user => string.Equals(user.Name, name, StringComparison.OrdinalIgnoreCase)))
                return $"A user named '{name}' already exists.";
            return null;
        }
    }

    private string? NewUserRoleError => _newUser.Role == Role.Unspecified ? "Choose the new user's role." : null;

    private string? NewUserPasswordError => _newUser.Password.Length is > 0 and < MinPasswordLength
        ? $"The password has {_newUser.Password.Length} characters; it needs at least {MinPasswordLength}, or leave it empty to have one generated."
        : null;

    private List<string> NewUserErrors => new[] { NewUserNameError, NewUserRoleError, NewUserPasswordError }.OfType<string>().ToList();

    private string? NewKeyUserError => string.IsNullOrEmpty(_newKey.UserName) ? "Choose the user the key acts for." : null;

    private string? NewKeyDescriptionError => _newKey.Description.Length > MaxDescriptionLength
        ? $"The description has {_newKey.Description.Length} characters; at most {MaxDescriptionLength} are allowed."
        : null;

    private List<string> NewKeyErrors => new[] { NewKeyUserError, NewKeyDescriptionError }.OfType<string>().ToList();

    protected override async Task OnInitializedAsync()
    {
        _user = await SignedInUser.FromAsync(AuthenticationState);
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        _loading = true;
        _error = null;
        await CallComputeAsync(
            async cancellationToken =>
            {
                _users = await Access.ListUsersAsync(cancellationToken);
                _keys = await Access.ListApiKeysAsync(_includeRevokedKeys, cancellationToken);
            },
            message => _error = message);
        _loading = false;
    }

    private Task OnIncludeRevokedChanged(bool includeRevoked)
    {
        _includeRevokedKeys = includeRevoked;
        return LoadAsync();
    }

    private Task CreateUserAsync()
    {
        _userAttempted = true;
        if (NewUserErrors.Count > 0)
            return Task.CompletedTask;

        var request = new CreateUserRequest { Name = _newUser.Name.Trim(), Role = _newUser.Role, Password = _newUser.Password };
        return RunAsync(async cancellationToken =>
        {
            var response = await Access.CreateUserAsync(request, cancellationToken);
            Snackbar.Add($"User {response.User.Name} created as {DashboardRoles.Describe(response.User.Role)}.", Severity.Success);
            if (response.GeneratedPassword.Length > 0)
                _secret = new ShownSecret($"The password of {response.User.Name}.", response.GeneratedPassword);
            _newUser.Clear();
            _userAttempted = false;
        });
    }

    private async Task RevokeUserAsync(string name)
    {
        if (!await ConfirmAsync("Revoke user", $"Revoke {name}? Their API keys and sessions stop working at once.", "Revoke"))
            return;

        await RunAsync(async cancellationToken =>
        {
            await Access.RevokeUserAsync(name, cancellationToken);
            Snackbar.Add($"User {name} revoked.", Severity.Success);
        });
    }

    private async Task ResetPasswordAsync(string name)
    {
        if (!await ConfirmAsync("Reset password", $"Give {name} a new generated password? Their dashboard sessions end at once; their API keys keep working.", "Reset"))
            return;

        await RunAsync(async cancellationToken =>
        {
            var response = await Access.SetPasswordAsync(new SetPasswordRequest { UserName = name }, cancellationToken);
            _secret = new ShownSecret($"The new password of {response.UserName}.", response.GeneratedPassword);
        });
    }

    private Task CreateKeyAsync()
    {
        _keyAttempted = true;
        if (NewKeyErrors.Count > 0)
            return Task.CompletedTask;

        string userName = _newKey.UserName!;
        string description = _newKey.Description.Trim();
        return RunAsync(async cancellationToken =>
        {
            var response = await Access.CreateApiKeyAsync(userName, description, cancellationToken);
            _secret = new ShownSecret($"The secret of API key {response.Key.Id} for {response.Key.UserName}.", response.Secret);
            _newKey.Clear();
            _keyAttempted = false;
        });
    }

    private async Task RotateKeyAsync(string id)
    {
        if (!await ConfirmAsync("Rotate API key", $"Replace key {id} by a new one? Programs that use the old key stop working at once.", "Rotate"))
            return;

        await RunAsync(async cancellationToken =>
        {
            var response = await Access.RotateApiKeyAsync(id, cancellationToken);
            _secret = new ShownSecret($"The secret of API key {response.Key.Id}, which replaces {id}.", response.Secret);
        });
    }

    private async Task RevokeKeyAsync(string id)
    {
        if (!await ConfirmAsync("Revoke API key", $"Revoke key {id}? Programs that use it stop working at once.", "Revoke"))
            return;

        await RunAsync(async cancellationToken =>
        {
            await Access.RevokeApiKeyAsync(id, cancellationToken);
            Snackbar.Add($"API key {id} revoked.", Severity.Success);
        });
    }

    /// <summary>Runs one change, reports a failure with the server's message, and reloads the lists.</summary>
    private async Task RunAsync(Func<CancellationToken, Task> change)
    {
        _busy = true;
        await CallComputeAsync(change, message => Snackbar.Add(message, Severity.Error));
        _busy = false;
        if (IsPageClosed)
            return;

        await LoadAsync();
    }

    private async Task<bool> ConfirmAsync(string title, string message, string action) =>
        await Dialogs.ShowMessageBoxAsync(title, message, yesText: action, cancelText: "Cancel") == true;

    private async Task CopySecretAsync()
    {
        if (_secret is null)
            return;

        try
        {
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", _secret.Value);
            Snackbar.Add("Copied to the clipboard.", Severity.Info);
        }
        catch (JSException)
        {
            Snackbar.Add("The browser did not allow copying; select the text and copy it yourself.", Severity.Warning);
        }
    }

    private void DismissSecret() => _secret = null;

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex UserNamePattern();

    /// <summary>A secret shown once, with a sentence saying what it is.</summary>
    private sealed record ShownSecret(string Title, string Value);

    private sealed class NewUserForm
    {
        public string Name { get; set; } = "";

        public Role Role { get; set; } = Role.Viewer;

        public string Password { get; set; } = "";

        public void Clear()
        {
            Name = "";
            Role = Role.Viewer;
            Password = "";
        }
    }

    private sealed class NewKeyForm
    {
        public string? UserName { get; set; }

        public string Description { get; set; } = "";

        public void Clear()
        {
            UserName = null;
            Description = "";
        }
    }
}
