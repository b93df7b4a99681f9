using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace UnlearnDashboard.Web.Access;

/// <summary>
/// Copies the circuit's authentication state into its <see cref="UserSession"/> when the circuit opens and
/// whenever the state changes, so calls made later in the circuit never read a request's HttpContext.
/// </summary>
public sealed class UserSessionCircuitHandler(AuthenticationStateProvider authentication, UserSession session)
    : CircuitHandler, IDisposable
{
    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        authentication.AuthenticationStateChanged += OnAuthenticationStateChanged;
        session.User = (await authentication.GetAuthenticationStateAsync()).User;
    }

    private async void OnAuthenticationStateChanged(Task<AuthenticationState> state)
    {
        try
        {
            session.User = (await state).User;
        }
        catch (InvalidOperationException)
        {
            // A state that failed to load leaves the previous user, whose token the server then rejects.
        }
    }

    public void Dispose() => authentication.AuthenticationStateChanged -= OnAuthenticationStateChanged;
}
