using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary>
/// A self-signed server certificate for 127.0.0.1 and localhost, made in the test and written to a folder as a
/// PEM certificate, a PEM key and a password-protected PKCS#12 file.
/// </summary>
public sealed class TestCertificate
{
    public const string PfxPassword = "test-pfx-password";

    private TestCertificate(X509Certificate2 certificate, string directory)
    {
        Certificate = certificate;
        CertificatePath = Path.Combine(directory, "server.crt.pem");
        KeyPath = Path.Combine(directory, "server.key.pem");
        PfxPath = Path.Combine(directory, "server.pfx");
    }

    public X509Certificate2 Certificate { get; }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    public string PfxPath { get; }

    /// <summary>Makes a certificate valid from a day ago for a year and writes its files to <paramref name="directory"/>.</summary>
    public static TestCertificate Create(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=unlearn-test-server", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));

        var files = new TestCertificate(certificate, directory);
        File.WriteAllText(files.CertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(files.KeyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllBytes(files.PfxPath, certificate.Export(X509ContentType.Pkcs12, PfxPassword));
        return files;
    }
}
