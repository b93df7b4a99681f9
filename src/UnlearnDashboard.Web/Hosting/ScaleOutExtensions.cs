using Microsoft.AspNetCore.DataProtection;
using StackExchange.Redis;

namespace UnlearnDashboard.Web.Hosting;

/// <summary>
/// Lets several dashboard processes work as one when <c>Redis:ConnectionString</c> is set: SignalR sends the
/// jobs hub's group messages through Redis (the SignalR Redis backplane), and the data protection keys, which
/// protect circuit tokens, antiforgery tokens and cookies, are kept in Redis, so every dashboard accepts what
/// another issued. Without the setting, each dashboard works alone as before.
/// </summary>
/// <remarks>
/// Blazor Server keeps each circuit in the memory of the process that created it, so a load balancer in front of
/// several dashboards must send all requests of a browser to the same process (sticky sessions).
/// </remarks>
public static class ScaleOutExtensions
{
    /// <summary>Configuration key of the Redis connection string, for example <c>127.0.0.1:6379</c>.</summary>
    public const string RedisConnectionStringKey = "Redis:ConnectionString";

    /// <summary>Prefix of the Redis channels of the backplane, so dashboards share a Redis server with other apps.</summary>
    public const string ChannelPrefix = "unlearn-dashboard";

    /// <summary>Redis key of the data protection key ring.</summary>
    public const string DataProtectionKey = "unlearn-dashboard:data-protection-keys";

    /// <summary>
    /// Data protection application name, the same on every dashboard: keys of another name cannot read each
    /// other's payloads.
    /// </summary>
    public const string ApplicationName = "UnlearnDashboard.Web";

    public static IServiceCollection AddDashboardScaleOut(this IServiceCollection services, IConfiguration configuration)
    {
        string? redis = configuration[RedisConnectionStringKey];
        if (string.IsNullOrWhiteSpace(redis))
            return services;

        services.AddSignalR().AddStackExchangeRedis(redis, options =>
            options.Configuration.ChannelPrefix = RedisChannel.Literal(ChannelPrefix));

        // Connected on first use, so a dashboard starts while Redis is still starting.
        var connection = new Lazy<IConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(redis));
        services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToStackExchangeRedis(() => connection.Value.GetDatabase(), DataProtectionKey);
        return services;
    }
}
