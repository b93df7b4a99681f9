using System.Net;
using System.Net.Sockets;
using UnlearnDashboard.Cli.Commands.Soak;

namespace UnlearnDashboard.Cli.Tests;

public sealed class SoakTests
{
    [Theory]
    [InlineData("10")]
    [InlineData("zero")]
    public async Task Soak_JobsBelowBaseline_ReturnsUsageError(string jobs)
    {
        var run = await CliRun.RunAsync("soak", "--jobs", jobs, "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("'--jobs'", run.Stderr);
        Assert.Contains("[11, 100000]", run.Stderr);
    }

    [Fact]
    public void ListeningInodes_ProcNetTcp_ReturnsListener()
    {
        string[] table =
        [
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
            "   0: 0100007F:1389 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0",
            "   1: 0100007F:1389 0100007F:A2B4 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 20 4 30 10 -1",
            "   2: 0100007F:138A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 100 0 0 10 0",
        ];

        var inodes = ServerMemory.ListeningInodes(table, 5001).ToList();

        Assert.Equal(["4242"], inodes);
    }

    [Fact]
    public void FindListener_OwnSocket_ReturnsThisProcess()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;

        int processId = ServerMemory.FindListener(port);

        Assert.Equal(Environment.ProcessId, processId);
        Assert.True(ServerMemory.ResidentBytes(processId) > 0);
    }
}
