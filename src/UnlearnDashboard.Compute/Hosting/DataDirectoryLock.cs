using System.Runtime.InteropServices;

namespace UnlearnDashboard.Compute.Hosting;

/// <summary>
/// The exclusive lock on <c>DataDirectory/server.lock</c> that a server on SQLite holds for its lifetime. A
/// second server on the same data directory would otherwise mark the first one's jobs interrupted, empty its
/// staging folder and run jobs on the same database. Servers on PostgreSQL share the data directory by design
/// and take no lock.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "server.lock";

    private FileStream? _lockFile;

    /// <summary>Takes the lock on the data directory, which must exist. Later calls return at once.</summary>
    /// <exception cref="StartupException">Another process holds the lock, or the lock file cannot be opened.</exception>
    public void Acquire(string dataPath)
    {
        if (_lockFile is not null)
            return;

        string path = Path.Combine(dataPath, FileName);
        try
        {
            // With FileShare.None, .NET on Linux and macOS takes flock(LOCK_EX | LOCK_NB) on the file (and
            // Windows denies other opens), so the open fails while another process, or another server in this
            // process, holds it. The kernel releases the lock when the process ends, even on SIGKILL.
            _lockFile = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            LockExplicitly(path, dataPath);
        }
        catch (IOException error) when (IsHeldByAnother(error))
        {
            throw new StartupException(HeldMessage(dataPath, path), error);
        }
        catch (Exception error) when (error is UnauthorizedAccessException or IOException)
        {
            throw new StartupException(
                $"The lock file {path} could not be opened: {error.Message.TrimEnd('.')}. " +
                $"Check that the data directory {dataPath} is writable by this user.", error);
        }
    }

    /// <summary>
    /// Takes flock on Linux even when FileShare.None took it already, because the runtime setting
    /// DOTNET_SYSTEM_IO_DISABLEFILELOCKING turns that off and would otherwise let a second server in unnoticed.
    /// </summary>
    private void LockExplicitly(string path, string dataPath)
    {
        if (!OperatingSystem.IsLinux())
            return;

        int fd = (int)_lockFile!.SafeFileHandle.DangerousGetHandle();
        if (Jobs.Worker.NativeMethods.Flock(fd, Jobs.Worker.NativeMethods.LockExclusive | Jobs.Worker.NativeMethods.LockNonBlocking) == 0)
            return;

        int errno = Marshal.GetLastPInvokeError();
        _lockFile.Dispose();
        _lockFile = null;
        throw errno == Jobs.Worker.NativeMethods.WouldBlock
            ? new StartupException(HeldMessage(dataPath, path))
            : new StartupException($"The lock file {path} could not be locked (errno {errno}). Check that the data directory {dataPath} is on a local file system.");
    }

    private static string HeldMessage(string dataPath, string path) =>
        $"Another compute server uses the data directory {dataPath}: the lock file {path} is locked by another process. " +
        "Stop that server, or start this one with another --DataDirectory. To run several compute servers on " +
        "one data directory, store the data in PostgreSQL (Database:Provider postgres).";

    /// <summary>
    /// Returns true when the open failed because the lock is held: .NET reports flock's EWOULDBLOCK as an
    /// IOException whose HResult is the errno (11 on Linux, 35 on macOS), and Windows reports a sharing violation.
    /// NOTE: only the Linux case is run by a test (DataDirectoryLockTests).
    /// </summary>
    private static bool IsHeldByAnother(IOException error) => OperatingSystem.IsWindows()
        ? error.HResult is unchecked((int)0x80070020) or unchecked((int)0x80070021)
        : error.HResult == (OperatingSystem.IsLinux() ? 11 : 35);

    public void Dispose() => _lockFile?.Dispose();
}
