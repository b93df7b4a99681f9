using System.Net;
using System.Net.Sockets;

namespace UnlearnDashboard.AppHost;

/// <summary>Waits until a server accepts TCP connections on its port.</summary>
internal static class PortProbe
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Returns true once <paramref name="url"/>'s host and port accept a connection, or false when
    /// <paramref name="child"/> exits or <paramref name="timeout"/> passes first.
    /// </summary>
    public static async Task<bool> WaitUntilListeningAsync(Uri url, ChildProcess child, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        var host = ProbeHost(url);
        while (DateTime.UtcNow < deadline && !child.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                await client.ConnectAsync(host, url.Port, attempt.Token);
                return true;
            }
            catch (SocketException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The connection attempt timed out; try again.
            }

            await Task.Delay(PollInterval, cancellationToken);
        }

        return false;
    }

    /// <summary>Returns true when something already accepts connections on <paramref name="url"/>'s host and port.</summary>
    public static async Task<bool> IsInUseAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(TimeSpan.FromSeconds(2));
            await client.ConnectAsync(ProbeHost(url), url.Port, attempt.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Returns true when servers on the two URLs could not both listen: the ports are equal and the hosts are
    /// equal, both loopback (localhost, 127.0.0.0/8, ::1) or either a wildcard. The scheme is ignored.
    /// </summary>
    public static bool Overlaps(Uri first, Uri second)
    {
        if (first.Port != second.Port)
            return false;

        return IsWildcard(first.Host) || IsWildcard(second.Host)
            || (IsLoopback(first.DnsSafeHost) && IsLoopback(second.DnsSafeHost))
            || string.Equals(first.IdnHost, second.IdnHost, StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsWildcard(string host) => host is "+" or "*" or "0.0.0.0" or "[::]" or "::";

    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>Returns the host to connect to: loopback for wildcard hosts such as "+", "*" or "0.0.0.0".</summary>
    private static string ProbeHost(Uri url) => url.Host switch
    {
        "+" or "*" or "0.0.0.0" or "[::]" or "::" => "127.0.0.1",
        var host => host,
    };
}
