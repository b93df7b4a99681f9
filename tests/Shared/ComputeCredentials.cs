using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;

namespace UnlearnDashboard.Tests.Shared;

/// <summary>
/// The API keys that a compute server writes to <c>credentials.json</c> in its data folder on its first start, and
/// channels that send one of them. Tests use the engineer's key unless they ask for another role.
/// </summary>
public static class ComputeCredentials
{
    /// <summary>The role whose key test channels send by default: the engineer may register data and submit jobs.</summary>
    public const string DefaultRole = "engineer";

    /// <summary>Largest response a test channel accepts: 64 MiB, because a debias result lists every removed row id.</summary>
    public const int MaxReceiveMessageBytes = 64 * 1024 * 1024;

    /// <summary>Returns the secret of a role's key from <c>DATA_DIRECTORY/credentials.json</c>.</summary>
    public static string ReadSecret(string dataDirectory, string role)
    {
        string path = Path.Combine(dataDirectory, "credentials.json");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} is missing; the server writes it on its first start, before it listens.", path);

        var secrets = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path))
            ?? throw new InvalidDataException($"{path} does not contain a JSON object.");
        return secrets.TryGetValue(role, out string? secret)
            ? secret
            : throw new KeyNotFoundException($"{path} has no key for the role '{role}'; it has {string.Join(", ", secrets.Keys)}.");
    }

    /// <summary>Returns a channel to <paramref name="url"/> that sends <paramref name="secret"/> as a bearer credential, or none when null.</summary>
    public static GrpcChannel CreateChannel(string url, string? secret)
    {
        var options = new GrpcChannelOptions { MaxReceiveMessageSize = MaxReceiveMessageBytes };
        if (secret is not null)
        {
            var bearer = CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("authorization", $"Bearer {secret}");
                return Task.CompletedTask;
            });

            // The test servers listen on plain HTTP/2 over loopback.
            options.Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, bearer);
            options.UnsafeUseInsecureChannelCallCredentials = true;
        }

        return GrpcChannel.ForAddress(url, options);
    }
}
