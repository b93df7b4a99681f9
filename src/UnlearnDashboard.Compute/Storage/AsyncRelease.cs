namespace UnlearnDashboard.Compute.Storage;

/// <summary>A lock or other hold whose release is an asynchronous call, returned to an <c>await using</c>.</summary>
internal sealed class AsyncRelease(Func<Task> release) : IAsyncDisposable
{
    public async ValueTask DisposeAsync() => await release();
}
