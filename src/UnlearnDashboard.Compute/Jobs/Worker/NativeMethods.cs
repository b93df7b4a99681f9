using System.Runtime.InteropServices;

namespace UnlearnDashboard.Compute.Jobs.Worker;

/// <summary>The few C library calls the worker process makes (Linux).</summary>
internal static partial class NativeMethods
{
    [DllImport("libc", EntryPoint = "abort")]
    public static extern void Abort();

    [DllImport("libc", EntryPoint = "dup", SetLastError = true)]
    public static extern int Dup(int fd);

    [DllImport("libc", EntryPoint = "dup2", SetLastError = true)]
    public static extern int Dup2(int oldFd, int newFd);
}
