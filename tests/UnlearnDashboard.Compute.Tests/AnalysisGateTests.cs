using Grpc.Core;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Compute.Models;

namespace UnlearnDashboard.Compute.Tests;

public sealed class AnalysisGateTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RunAsync_QueueFull_IsResourceExhausted()
    {
        var gate = NewGate(maxConcurrent: 1, maxQueued: 1);
        var release = new TaskCompletionSource();
        var running = gate.RunAsync("first", () => Block(release), CancellationToken.None);
        var waiting = gate.RunAsync("second", () => 2, CancellationToken.None);
        await WaitUntilAsync(() => gate.Admitted == 2);

        var error = await RpcAssert.FailsAsync(() => gate.RunAsync("The comparison", () => 3, CancellationToken.None));
        release.SetResult();

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("The comparison was rejected", error.Status.Detail);
        Assert.Contains("Analysis:MaxQueued", error.Status.Detail);
        Assert.Equal(1, await running.WaitAsync(Timeout));
        Assert.Equal(2, await waiting.WaitAsync(Timeout));
        Assert.Equal(0, gate.Admitted);
    }

    [Fact]
    public async Task RunAsync_WaitingCallCancelled_FreesItsPlace()
    {
        var gate = NewGate(maxConcurrent: 1, maxQueued: 1);
        var release = new TaskCompletionSource();
        using var cancel = new CancellationTokenSource();
        var running = gate.RunAsync("first", () => Block(release), CancellationToken.None);
        var waiting = gate.RunAsync("second", () => 2, cancel.Token);
        await WaitUntilAsync(() => gate.Admitted == 2);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Timeout));
        var third = gate.RunAsync("third", () => 3, CancellationToken.None);
        release.SetResult();

        Assert.Equal(1, await running.WaitAsync(Timeout));
        Assert.Equal(3, await third.WaitAsync(Timeout));
    }

    [Fact]
    public async Task RunAsync_UnderLimit_RunsAtMostMaxConcurrent()
    {
        var gate = NewGate(maxConcurrent: 2, maxQueued: 10);
        var sync = new Lock();
        int running = 0;
        int peak = 0;

        var calls = Enumerable.Range(0, 8).Select(_ => gate.RunAsync("call", () =>
        {
            lock (sync)
            {
                running++;
                peak = Math.Max(peak, running);
            }

            Thread.Sleep(50);
            lock (sync)
                running--;
            return 0;
        }, CancellationToken.None));
        await Task.WhenAll(calls).WaitAsync(Timeout);

        Assert.InRange(peak, 1, 2);
    }

    private static AnalysisGate NewGate(int maxConcurrent, int maxQueued) =>
        new(Options.Create(new AnalysisOptions { MaxConcurrent = maxConcurrent, MaxQueued = maxQueued }));

    private static int Block(TaskCompletionSource release)
    {
        release.Task.Wait(Timeout);
        return 1;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the gate did not reach the expected state in time");
            await Task.Delay(10);
        }
    }
}
