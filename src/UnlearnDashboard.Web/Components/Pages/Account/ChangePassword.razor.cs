using Microsoft.AspNetCore.Components;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Components.Pages.Account;

/// <summary>
/// Lets any signed-in user replace their own dashboard password, given the current one. The compute server
/// checks the current password, applies the length rule again and ends every session of the user.
/// </summary>
public sealed partial class ChangePassword : ComputePage
{
    private readonly PasswordForm _form = new();
    private bool _attempted;
    private bool _busy;
    private bool _changed;
    private string? _error;

    [Inject]
    private IComputeAccess Access { get; set; } = default!;

    private string? CurrentError => _form.Current.Length == 0 ? "Enter your current password." : null;

    private string? NewError => _form.New.Length < Users.MinPasswordLength
        ? $"The new password has {_form.New.Length} characters; it needs at least {Users.MinPasswordLength}."
        : null;

    private string? ConfirmationError => _form.Confirmation != _form.New ? "The two new passwords differ." : null;

    private async Task ChangeAsync()
    {
        _attempted = true;
        _error = null;
        if (CurrentError is not null || NewError is not null || ConfirmationError is not null)
            return;

        _busy = true;
        var request = new SetPasswordRequest { CurrentPassword = _form.Current, NewPassword = _form.New };
        _changed = await CallComputeAsync(
            async cancellationToken => await Access.SetPasswordAsync(request, cancellationToken),
            message => _error = message);
        _busy = false;
        if (_changed)
            _form.Clear();
    }

    private sealed class PasswordForm
    {
        public string Current { get; set; } = "";

        public string New { get; set; } = "";

        public string Confirmation { get; set; } = "";

        public void Clear() => (Current, New, Confirmation) = ("", "", "");
    }
}
