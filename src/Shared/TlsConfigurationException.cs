namespace UnlearnDashboard.Tls;

/// <summary>
/// A TLS setting that cannot be used: a certificate file that is missing, unreadable or not a certificate, a
/// missing private key or a wrong password. The message names the setting and the path.
/// </summary>
internal sealed class TlsConfigurationException(string message, Exception? innerException = null) : Exception(message, innerException);
