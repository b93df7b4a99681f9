namespace UnlearnDashboard.Web.Jobs.Authentication;

public static class CircuitTokenDefaults
{
    /// <summary>Authentication scheme of the jobs hub.</summary>
    public const string Scheme = "CircuitToken";

    /// <summary>Name given to the circuit's user until the dashboard signs users in.</summary>
    public const string AnonymousUser = "anonymous";
}
