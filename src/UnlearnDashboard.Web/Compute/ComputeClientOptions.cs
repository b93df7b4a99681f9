using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Tls;

namespace UnlearnDashboard.Web.Compute;

/// <summary>Connection to the compute server, bound from the configuration root (key <c>ComputeUrl</c>).</summary>
public sealed class ComputeClientOptions
{
    public const string DefaultComputeUrl = "http://127.0.0.1:5001";

    /// <summary>URL of the compute server's gRPC endpoint; http:// means HTTP/2 without TLS, https:// with TLS. Default http://127.0.0.1:5001.</summary>
    [Required]
    [Url]
    public string ComputeUrl { get; set; } = DefaultComputeUrl;

    /// <summary>
    /// PEM or DER file with the certificate of the CA that signed an https:// compute server's certificate, or that
    /// server's own self-signed certificate, trusted besides the system's CAs. Default unset.
    /// </summary>
    public string? ComputeCaCertificatePath { get; set; }

    /// <summary>Deadline of one unary call (catalog, submit, get or cancel a job), in seconds. Default 10.</summary>
    [Range(1, 600)]
    public double CallTimeoutSeconds { get; set; } = 10;
}

/// <summary>Checks that <see cref="ComputeClientOptions.ComputeCaCertificatePath"/>, when set, contains a certificate.</summary>
internal sealed class ComputeClientOptionsValidator : IValidateOptions<ComputeClientOptions>
{
    public ValidateOptionsResult Validate(string? name, ComputeClientOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ComputeCaCertificatePath))
            return ValidateOptionsResult.Success;

        try
        {
            TrustedCertificates.Load(options.ComputeCaCertificatePath, nameof(ComputeClientOptions.ComputeCaCertificatePath));
            return ValidateOptionsResult.Success;
        }
        catch (TlsConfigurationException error)
        {
            return ValidateOptionsResult.Fail(error.Message);
        }
    }
}
