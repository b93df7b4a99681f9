using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace UnlearnDashboard.Tls;

/// <summary>
/// The server certificate of the <c>Tls</c> section. When <c>Tls:CertificatePath</c> is set, Kestrel serves HTTPS
/// with it on every address in <c>urls</c>, also those written as http://. Shared by the compute server and the
/// dashboard.
/// </summary>
internal static class ServerTls
{
    public const string CertificatePathKey = "Tls:CertificatePath";
    public const string KeyPathKey = "Tls:KeyPath";
    public const string PasswordKey = "Tls:Password";

    /// <summary>
    /// Loads the configured certificate and makes Kestrel serve HTTPS with it; does nothing when
    /// <c>Tls:CertificatePath</c> is unset. Throws <see cref="TlsConfigurationException"/> when the certificate
    /// cannot be used.
    /// </summary>
    public static void UseConfiguredTls(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        string? certificatePath = configuration[CertificatePathKey];
        if (string.IsNullOrWhiteSpace(certificatePath))
        {
            // A key or password without a certificate means TLS was meant; serving plain HTTP would send keys in clear text.
            foreach (string key in new[] { KeyPathKey, PasswordKey })
            {
                if (!string.IsNullOrWhiteSpace(configuration[key]))
                    throw new TlsConfigurationException($"{key} is set but {CertificatePathKey} is not; set {CertificatePathKey} to the certificate file, or unset {key}.");
            }

            return;
        }

        var certificate = LoadCertificate(certificatePath, configuration[KeyPathKey], configuration[PasswordKey]);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate));

        // https:// addresses take the certificate from the HTTPS defaults above.
        string? urls = configuration["urls"];
        if (!string.IsNullOrWhiteSpace(urls))
            builder.WebHost.UseUrls([.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ToHttps)]);
    }

    /// <summary>
    /// Loads a certificate with its private key from a PKCS#12 (.pfx) file, or from a PEM file with the key in
    /// the same file or in <paramref name="keyPath"/>. <paramref name="password"/> opens a PKCS#12 file or an
    /// encrypted PEM key.
    /// </summary>
    public static X509Certificate2 LoadCertificate(string certificatePath, string? keyPath, string? password)
    {
        string certificateText = ReadFile(certificatePath, CertificatePathKey);
        bool isPem = certificateText.Contains("-----BEGIN ", StringComparison.Ordinal);
        if (!string.IsNullOrWhiteSpace(keyPath))
            ReadFile(keyPath, KeyPathKey);

        X509Certificate2 certificate;
        try
        {
            if (!isPem)
                certificate = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password);
            else if (string.IsNullOrEmpty(password))
                certificate = X509Certificate2.CreateFromPemFile(certificatePath, NullIfBlank(keyPath));
            else
                certificate = X509Certificate2.CreateFromEncryptedPemFile(certificatePath, password, NullIfBlank(keyPath));
        }
        catch (CryptographicException error)
        {
            throw new TlsConfigurationException(DescribeLoadFailure(certificatePath, keyPath, password, isPem, error), error);
        }

        if (!certificate.HasPrivateKey)
        {
            throw new TlsConfigurationException(
                $"{CertificatePathKey} '{certificatePath}' has no private key; put the key in the file or name it with {KeyPathKey}.");
        }

        return certificate;
    }

    private static string DescribeLoadFailure(string certificatePath, string? keyPath, string? password, bool isPem, CryptographicException error)
    {
        if (!isPem)
        {
            return string.IsNullOrEmpty(password)
                ? $"{CertificatePathKey} '{certificatePath}' is neither PEM nor a PKCS#12 file that opens without a password ({error.Message}); set {PasswordKey} if it has one."
                : $"{CertificatePathKey} '{certificatePath}' could not be opened with {PasswordKey}: the password is wrong or the file is not PKCS#12 ({error.Message}).";
        }

        string keySource = string.IsNullOrWhiteSpace(keyPath)
            ? $"the private key in {CertificatePathKey} '{certificatePath}' (set {KeyPathKey} when the key is in its own file)"
            : $"the private key in {KeyPathKey} '{keyPath}'";
        string passwordHint = string.IsNullOrEmpty(password) ? $"; set {PasswordKey} if the key is encrypted" : $", or {PasswordKey} is wrong";
        return $"The certificate {CertificatePathKey} '{certificatePath}' with {keySource} could not be loaded{passwordHint} ({error.Message}).";
    }

    /// <summary>Returns the file's text, or throws naming the setting when the file is missing or unreadable.</summary>
    private static string ReadFile(string path, string key)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new TlsConfigurationException($"{key} '{path}' does not exist.", error);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new TlsConfigurationException($"{key} '{path}' could not be read: {error.Message}", error);
        }
    }

    private static string ToHttps(string url) =>
        url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? "https://" + url["http://".Length..] : url;

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
