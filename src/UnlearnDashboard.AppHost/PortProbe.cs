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

    /// <summary>Returns the host to connect to: loopback for wildcard hosts such as "+", "*" or "0.0.0.0".</summary>
    private static string ProbeHost(Uri url) => url.Host switch
    {
        "+" or "*" or "0.0.0.0" or "[::]" or "::" => "127.0.0.1",
        var host => host,
    };
}
