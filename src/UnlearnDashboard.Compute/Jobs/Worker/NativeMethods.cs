using System.Runtime.InteropServices;

namespace UnlearnDashboard.Compute.Jobs.Worker;

/// <summary>The few C library calls the compute server and its worker processes make (Linux).</summary>
internal static partial class NativeMethods
{
    /// <summary>flock's exclusive lock, and its flag that fails with EWOULDBLOCK instead of waiting.</summary>
    public const int LockExclusive = 2;
    public const int LockNonBlocking = 4;

    /// <summary>flock's errno when another open file holds the lock (EWOULDBLOCK on Linux).</summary>
    public const int WouldBlock = 11;

    [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static extern int Flock(int fd, int operation);

    [DllImport("libc", EntryPoint = "abort")]
    public static extern void Abort();

    [DllImport("libc", EntryPoint = "dup", SetLastError = true)]
    public static extern int Dup(int fd);

    [DllImport("libc", EntryPoint = "dup2", SetLastError = true)]
    public static extern int Dup2(int oldFd, int newFd);
}
