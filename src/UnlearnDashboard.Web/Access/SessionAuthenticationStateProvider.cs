using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;

namespace UnlearnDashboard.Web.Access;

/// <summary>
/// The authentication state of a circuit. It starts as the cookie's user, captured when the circuit starts, and
/// becomes anonymous once the compute server rejects the user's session token: at a periodic check, or on
/// any call that gets UNAUTHENTICATED. The router then sends the user to the sign-in page.
/// </summary>
public sealed class SessionAuthenticationStateProvider : RevalidatingServerAuthenticationStateProvider
{
    private readonly IServiceScopeFactory _scopes;
    private readonly UserSession _session;
    private readonly TimeProvider _time;
    private readonly AccessOptions _options;

    public SessionAuthenticationStateProvider(
        ILoggerFactory loggerFactory,
        IServiceScopeFactory scopes,
        UserSession session,
        TimeProvider time,
        IOptions<AccessOptions> options)
        : base(loggerFactory)
    {
        _scopes = scopes;
        _session = session;
        _time = time;
        _options = options.Value;
        _session.Rejected += OnRejected;
    }

    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(_options.SessionCheckSeconds);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        return await SessionCheck.IsValidAsync(
            authenticationState.User, scope.ServiceProvider.GetRequiredService<Compute.IComputeAccess>(), _time, cancellationToken);
    }

    private void OnRejected() => SetAuthenticationState(Task.FromResult(new AuthenticationState(new(new System.Security.Claims.ClaimsIdentity()))));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _session.Rejected -= OnRejected;
        base.Dispose(disposing);
    }
}
