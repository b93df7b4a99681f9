using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace UnlearnDashboard.Cli.Tests;

/// <summary>
/// The hint the CLI prints when the TLS handshake fails, against a loopback TLS listener whose certificate the test
/// makes: a certificate for another host name, an untrusted one, an expired one and one signed by another CA.
/// </summary>
public sealed class TlsHintTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("unlearn-tls-hint-").FullName;

    [Fact]
    public async Task Handshake_NameMismatch_BlamesHostNameNotTrust()
    {
        var certificate = CreateCertificate(dnsName: "compute.unlearn.test", notAfter: DateTimeOffset.UtcNow.AddDays(30));
        await using var listener = TlsListener.Start(certificate);

        var run = await CliRun.RunAsync("whoami", "--server", listener.Url, "--ca-certificate", WritePem(certificate, "server.pem"));

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("does not name the host '127.0.0.1'", run.Stderr);
        Assert.Contains("compute.unlearn.test", run.Stderr);
        Assert.DoesNotContain("not trusted", run.Stderr);
    }

    [Fact]
    public async Task Handshake_UntrustedCertificate_NamesCaOption()
    {
        var certificate = CreateCertificate(dnsName: null, notAfter: DateTimeOffset.UtcNow.AddDays(30));
        await using var listener = TlsListener.Start(certificate);

        var run = await CliRun.RunAsync("whoami", "--server", listener.Url);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("The server's TLS certificate is not trusted", run.Stderr);
        Assert.Contains("--ca-certificate PATH", run.Stderr);
        Assert.DoesNotContain("does not name the host", run.Stderr);
    }

    [Fact]
    public async Task Handshake_ExpiredCertificate_SaysExpired()
    {
        var certificate = CreateCertificate(dnsName: null, notAfter: DateTimeOffset.UtcNow.AddDays(-1));
        await using var listener = TlsListener.Start(certificate);

        var run = await CliRun.RunAsync("whoami", "--server", listener.Url, "--ca-certificate", WritePem(certificate, "server.pem"));

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("expired", run.Stderr);
        Assert.DoesNotContain("not trusted", run.Stderr);
    }

    [Fact]
    public async Task Handshake_OtherCaGiven_NamesCaFile()
    {
        var certificate = CreateCertificate(dnsName: null, notAfter: DateTimeOffset.UtcNow.AddDays(30));
        var other = CreateCertificate(dnsName: null, notAfter: DateTimeOffset.UtcNow.AddDays(30));
        string otherPath = WritePem(other, "other.pem");
        await using var listener = TlsListener.Start(certificate);

        var run = await CliRun.RunAsync("whoami", "--server", listener.Url, "--ca-certificate", otherPath);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains($"'{otherPath}'", run.Stderr);
        Assert.Contains("UntrustedRoot", run.Stderr);
        Assert.DoesNotContain("does not name the host", run.Stderr);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// Makes a self-signed server certificate for the IP address 127.0.0.1, or only for <paramref name="dnsName"/>
    /// when given, valid from 30 days ago until <paramref name="notAfter"/>.
    /// </summary>
    private static X509Certificate2 CreateCertificate(string? dnsName, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=unlearn-tls-hint-test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        if (dnsName is null)
            names.AddIpAddress(IPAddress.Loopback);
        else
            names.AddDnsName(dnsName);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), notAfter);

        // SslStream on Windows cannot use the ephemeral key of CreateSelfSigned, so the certificate is loaded again from PKCS#12.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    private string WritePem(X509Certificate2 certificate, string fileName)
    {
        string path = Path.Combine(_folder, fileName);
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    /// <summary>Accepts TLS connections on a free loopback port with one certificate, and closes each after the handshake.</summary>
    private sealed class TlsListener : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly X509Certificate2 _certificate;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;

        private TlsListener(X509Certificate2 certificate)
        {
            _certificate = certificate;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public string Url => $"https://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public static TlsListener Start(X509Certificate2 certificate) => new(certificate);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _accepting;
            }
            catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopping the listener ends the pending accept.
            }

            _stop.Dispose();
            _certificate.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                await using var tls = new SslStream(client.GetStream());
                var options = new SslServerAuthenticationOptions
                {
                    ServerCertificate = _certificate,
                    ApplicationProtocols = [SslApplicationProtocol.Http2],
                };
                try
                {
                    await tls.AuthenticateAsServerAsync(options, _stop.Token);
                }
                catch (Exception error) when (error is AuthenticationException or IOException)
                {
                    // The client rejected the certificate, which is what these tests provoke.
                }
            }
        }
    }
}
