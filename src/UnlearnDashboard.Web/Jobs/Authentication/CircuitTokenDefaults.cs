namespace UnlearnDashboard.Web.Jobs.Authentication;

public static class CircuitTokenDefaults
{
    /// <summary>Authentication scheme of the jobs hub.</summary>
    public const string Scheme = "CircuitToken";
}
