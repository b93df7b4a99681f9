using System.Globalization;

namespace UnlearnDashboard.Cli.Commands.Soak;

/// <summary>Reads a local process's resident memory and finds the process that listens on a TCP port, through /proc (Linux).</summary>
internal static class ServerMemory
{
    /// <summary>Returns the process's resident set size (VmRSS) in bytes.</summary>
    /// <exception cref="UsageException">The process does not exist or /proc is unavailable.</exception>
    public static long ResidentBytes(int processId)
    {
        string status;
        try
        {
            status = File.ReadAllText($"/proc/{processId}/status");
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read the memory of process {processId} ({error.Message}); is the server running on this machine?");
        }

        // The line reads "VmRSS:    123456 kB".
        string line = status.Split('\n').FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
                      ?? throw new UsageException($"/proc/{processId}/status has no VmRSS line.");
        string kilobytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
        return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Returns the id of the local process with a listening TCP socket on the port.</summary>
    /// <exception cref="UsageException">No process of this user listens on the port.</exception>
    public static int FindListener(int port)
    {
        var inodes = new HashSet<string>();
        foreach (string table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (File.Exists(table))
                inodes.UnionWith(ListeningInodes(File.ReadAllLines(table), port));
        }

        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out int processId))
                continue;

            try
            {
                foreach (string descriptor in Directory.EnumerateFiles(Path.Combine(directory, "fd")))
                {
                    if (new FileInfo(descriptor).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal)
                        && inodes.Contains(target["socket:[".Length..^1]))
                    {
                        return processId;
                    }
                }
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // Another user's process, or one that exited meanwhile.
            }
        }

        throw new UsageException($"no process of this user listens on port {port}; pass the server's process id with --pid.");
    }

    /// <summary>Returns the socket inodes of the table's listening sockets on the port.</summary>
    internal static IEnumerable<string> ListeningInodes(IEnumerable<string> tableLines, int port)
    {
        // Columns: sl local_address rem_address st ... inode; the port is hex after the colon, state 0A is LISTEN.
        foreach (string line in tableLines.Skip(1))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 10 || fields[3] != "0A")
                continue;

            string localPort = fields[1][(fields[1].LastIndexOf(':') + 1)..];
            if (int.Parse(localPort, NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                yield return fields[9];
        }
    }
}
