namespace UnlearnDashboard.Tests.Shared;

/// <summary>Finds the compute server's job worker processes through /proc (Linux).</summary>
public static class WorkerProcesses
{
    /// <summary>Returns the ids of running processes whose command line is a worker of the job.</summary>
    public static IReadOnlyList<int> Of(string jobId)
    {
        var found = new List<int>();
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out int processId))
                continue;

            string[] arguments;
            try
            {
                arguments = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0');
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            int worker = Array.IndexOf(arguments, "worker");
            if (worker >= 0 && worker + 2 < arguments.Length && arguments[worker + 1] == "--job" && arguments[worker + 2] == jobId
                && !IsZombie(directory))
            {
                found.Add(processId);
            }
        }

        return found;
    }

    /// <summary>Waits until the job has no worker process left, or throws after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilGoneAsync(string jobId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Of(jobId) is { Count: > 0 } left)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Worker processes {string.Join(", ", left)} of job {jobId} still run after {timeout.TotalSeconds} s.");
            await Task.Delay(50);
        }
    }

    private static bool IsZombie(string directory)
    {
        try
        {
            string stat = File.ReadAllText(Path.Combine(directory, "stat"));
            // The state letter follows the command name, which is in parentheses and may contain spaces.
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }
}
