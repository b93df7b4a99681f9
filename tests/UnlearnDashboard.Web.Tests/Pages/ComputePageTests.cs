using Bunit;
using Grpc.Core;
using UnlearnDashboard.Web.Components.Pages;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Tests.Pages;

public sealed class ComputePageTests : DashboardTestContext
{
    [Fact]
    public async Task CallComputeAsync_Completed_ReturnsTrue()
    {
        var page = Render<ProbePage>().Instance;
        var failures = new List<string>();

        bool completed = await page.CallAsync(_ => Task.CompletedTask, failures.Add);

        Assert.True(completed);
        Assert.Empty(failures);
    }

    [Fact]
    public async Task CallComputeAsync_ComputeUnavailable_PassesMessage()
    {
        var page = Render<ProbePage>().Instance;
        var failures = new List<string>();
        var failure = new ComputeUnavailableException("The compute server at http://127.0.0.1:1 is unreachable.", new RpcException(Status.DefaultCancelled));

        bool completed = await page.CallAsync(_ => Task.FromException(failure), failures.Add);

        Assert.False(completed);
        Assert.Equal(["The compute server at http://127.0.0.1:1 is unreachable."], failures);
    }

    [Fact]
    public async Task CallComputeAsync_PageClosed_IgnoresCancellation()
    {
        var page = Render<ProbePage>().Instance;
        var failures = new List<string>();
        var started = new TaskCompletionSource();
        var call = page.CallAsync(
            async cancellationToken =>
            {
                started.SetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            },
            failures.Add);
        await started.Task;

        await DisposeComponentsAsync();
        bool completed = await call;

        Assert.False(completed);
        Assert.Empty(failures);
        Assert.True(page.IsClosed);
    }

    [Fact]
    public async Task CallComputeAsync_CancelledWhilePageOpen_Propagates()
    {
        var page = Render<ProbePage>().Instance;

        await Assert.ThrowsAsync<OperationCanceledException>(() => page.CallAsync(_ => throw new OperationCanceledException(), _ => { }));

        Assert.False(page.IsClosed);
    }

    [Fact]
    public async Task CallComputeAsync_OtherException_Propagates()
    {
        var page = Render<ProbePage>().Instance;
        var failures = new List<string>();

        await Assert.ThrowsAsync<InvalidOperationException>(() => page.CallAsync(_ => throw new InvalidOperationException("bug"), failures.Add));

        Assert.Empty(failures);
    }

    /// <summary>A page without markup that exposes the protected members of <see cref="ComputePage"/>.</summary>
    private sealed class ProbePage : ComputePage
    {
        public bool IsClosed => IsPageClosed;

        public Task<bool> CallAsync(Func<CancellationToken, Task> call, Action<string> onFailure) => CallComputeAsync(call, onFailure);
    }
}
