using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace UnlearnDashboard.Tls;

/// <summary>
/// Extra certificates that a client trusts as roots, besides the system's: a private CA, or a server's own
/// self-signed certificate. Shared by the CLI and the dashboard's compute client.
/// </summary>
internal static class TrustedCertificates
{
    /// <summary>
    /// Reads every certificate of a PEM file, or the one certificate of a DER file. Throws
    /// <see cref="TlsConfigurationException"/> naming <paramref name="setting"/> when the file is missing,
    /// unreadable or contains no certificate.
    /// </summary>
    public static X509Certificate2Collection Load(string path, string setting)
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new TlsConfigurationException($"{setting} '{path}' does not exist.", error);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new TlsConfigurationException($"{setting} '{path}' could not be read: {error.Message}", error);
        }

        var certificates = new X509Certificate2Collection();
        try
        {
            string text = System.Text.Encoding.ASCII.GetString(content);
            if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
                certificates.ImportFromPem(text);
            else
                certificates.Add(X509CertificateLoader.LoadCertificate(content));
        }
        catch (CryptographicException error)
        {
            throw new TlsConfigurationException($"{setting} '{path}' is not a PEM or DER certificate: {error.Message}", error);
        }

        return certificates;
    }

    /// <summary>
    /// Returns a server certificate check that accepts what the system trusts, and otherwise a certificate whose
    /// chain ends at one of <paramref name="roots"/>. A name mismatch is always rejected. On a rejection it calls
    /// <paramref name="rejected"/>, when given, with the certificate, the errors that remain and the chain's status.
    /// That status is of the chain to <paramref name="roots"/> when they were tried, else of the system's chain.
    /// </summary>
    public static RemoteCertificateValidationCallback CreateValidator(
        X509Certificate2Collection roots, Action<X509Certificate?, SslPolicyErrors, X509ChainStatusFlags>? rejected = null) =>
        (_, certificate, chain, errors) =>
        {
            if (errors == SslPolicyErrors.None)
                return true;

            var chainStatus = StatusOf(chain);
            if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors) && certificate is not null && roots.Count > 0)
            {
                using var customChain = new X509Chain();
                customChain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                customChain.ChainPolicy.CustomTrustStore.AddRange(roots);

                // NOTE: revocation is not checked, because a private CA rarely publishes a revocation list that
                // clients can reach.
                customChain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                if (chain is not null)
                {
                    foreach (var element in chain.ChainElements)
                        customChain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }

                if (customChain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData())))
                    errors &= ~SslPolicyErrors.RemoteCertificateChainErrors;
                chainStatus = StatusOf(customChain);
            }

            if (errors == SslPolicyErrors.None)
                return true;

            rejected?.Invoke(certificate, errors, chainStatus);
            return false;
        };

    /// <summary>Returns the union of a chain's status flags, or NoError for no chain.</summary>
    private static X509ChainStatusFlags StatusOf(X509Chain? chain) =>
        chain is null ? X509ChainStatusFlags.NoError : chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, status) => all | status.Status);
}
