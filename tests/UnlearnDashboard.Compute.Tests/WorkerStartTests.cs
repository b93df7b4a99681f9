using UnlearnDashboard.Compute.Jobs.Worker;

namespace UnlearnDashboard.Compute.Tests;

public sealed class WorkerStartTests
{
    [Fact]
    public void StartInfo_ServerUnset_SetsDefaults()
    {
        var start = WorkerProcess.StartInfo("job-1", 3, _ => null);

        Assert.Equal("3", start.Environment[WorkerProcess.ThreadCount]);
        Assert.Equal("0", start.Environment[WorkerProcess.QuickJitForLoops]);
        Assert.Equal([WorkerEntryPoint.Command, "--job", "job-1"], start.ArgumentList.TakeLast(3));
    }

    [Fact]
    public void StartInfo_ServerSet_KeepsServerValues()
    {
        var server = new Dictionary<string, string> { [WorkerProcess.ThreadCount] = "8", [WorkerProcess.QuickJitForLoops] = "1" };

        var start = WorkerProcess.StartInfo("job-2", 3, name => server.GetValueOrDefault(name));

        // The start info's environment begins as a copy of this process's, where a real server's values would be.
        foreach (string name in server.Keys)
        {
            start.Environment.TryGetValue(name, out string? value);
            Assert.Equal(Environment.GetEnvironmentVariable(name), value);
        }
    }
}
