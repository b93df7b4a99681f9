using Grpc.Core;
using UnlearnDashboard.Cli.Commands.Load;

namespace UnlearnDashboard.Cli.Tests;

public sealed class LoadStopTests
{
    [Theory]
    [InlineData(StatusCode.Cancelled, true)]
    [InlineData(StatusCode.Unavailable, true)]
    [InlineData(StatusCode.Internal, false)]
    public void EndedByStop_AfterStop_ByStatus(StatusCode status, bool expected)
    {
        using var stop = new CancellationTokenSource();
        stop.Cancel();

        Assert.Equal(expected, LoadRunner.EndedByStop(new RpcException(new Status(status, "stream ended")), stop.Token));
    }

    [Fact]
    public void EndedByStop_BeforeStop_IsFalse()
    {
        using var stop = new CancellationTokenSource();

        Assert.False(LoadRunner.EndedByStop(new RpcException(new Status(StatusCode.Unavailable, "stream ended")), stop.Token));
        Assert.False(LoadRunner.EndedByStop(new OperationCanceledException(), stop.Token));
    }
}
