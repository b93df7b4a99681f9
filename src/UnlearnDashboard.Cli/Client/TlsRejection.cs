using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace UnlearnDashboard.Cli.Client;

/// <summary>
/// Why the CLI rejected a server's TLS certificate, recorded by the certificate check, so that the error message
/// can name the actual fault instead of guessing it from the exception.
/// </summary>
/// <param name="Host">The host of the --server URL.</param>
/// <param name="Errors">The errors that made the check fail.</param>
/// <param name="ChainStatus">The status of the chain to the --ca-certificate roots when they were tried, else the system's.</param>
/// <param name="CertificateNames">The DNS names and IP addresses that the certificate names, or its subject when it has none.</param>
/// <param name="NotBefore">Start of the certificate's validity, in UTC.</param>
/// <param name="NotAfter">End of the certificate's validity, in UTC.</param>
/// <param name="CaCertificatePath">The --ca-certificate or UNLEARN_CA_CERTIFICATE file, or null.</param>
internal sealed record TlsRejection(
    string Host,
    SslPolicyErrors Errors,
    X509ChainStatusFlags ChainStatus,
    IReadOnlyList<string> CertificateNames,
    DateTime NotBefore,
    DateTime NotAfter,
    string? CaCertificatePath)
{
    private const string SubjectAlternativeNameOid = "2.5.29.17";

    public static TlsRejection Create(
        string host, X509Certificate? certificate, SslPolicyErrors errors, X509ChainStatusFlags chainStatus, string? caCertificatePath)
    {
        if (certificate is null)
            return new TlsRejection(host, errors, chainStatus, [], DateTime.MinValue, DateTime.MinValue, caCertificatePath);

        var full = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return new TlsRejection(host, errors, chainStatus, NamesOf(full), full.NotBefore.ToUniversalTime(), full.NotAfter.ToUniversalTime(),
            caCertificatePath);
    }

    /// <summary>Returns one line of advice for each fault, in the order a user would fix them.</summary>
    public IEnumerable<string> Hints()
    {
        if (Errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            yield return "The server sent no TLS certificate. Check that --server names the compute server's HTTPS address.";

        if (Errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            string names = CertificateNames.Count == 0 ? "no host name" : string.Join(", ", CertificateNames);
            yield return $"The server's TLS certificate does not name the host '{Host}' of --server: it names {names}. "
                + $"Use a --server URL with one of those names, or give the server a certificate that names '{Host}'.";
        }

        if (!Errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
            yield break;

        if (ChainStatus.HasFlag(X509ChainStatusFlags.NotTimeValid))
        {
            yield return $"The server's TLS certificate has expired or is not valid yet: it is valid from {Format(NotBefore)} to {Format(NotAfter)} "
                + "(UTC). Give the server a current certificate.";
        }
        else if (CaCertificatePath is null)
        {
            yield return $"The server's TLS certificate is not trusted ({ChainStatus}). Pass the certificate of the CA that signed it, "
                + "or the server's own self-signed certificate, with --ca-certificate PATH or UNLEARN_CA_CERTIFICATE.";
        }
        else
        {
            yield return $"The server's TLS certificate does not chain to a system CA or to a certificate in '{CaCertificatePath}' ({ChainStatus}). "
                + "Pass the certificate of the CA that signed it, or the server's own self-signed certificate, with --ca-certificate PATH "
                + "or UNLEARN_CA_CERTIFICATE.";
        }
    }

    private static IReadOnlyList<string> NamesOf(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions.FirstOrDefault(e => e.Oid?.Value == SubjectAlternativeNameOid);
        if (extension is null)
            return [certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false)];

        var names = new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
        return [.. names.EnumerateDnsNames(), .. names.EnumerateIPAddresses().Select(address => address.ToString())];
    }

    private static string Format(DateTime time) => time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
