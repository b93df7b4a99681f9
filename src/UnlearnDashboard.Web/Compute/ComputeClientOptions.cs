using System.ComponentModel.DataAnnotations;

namespace UnlearnDashboard.Web.Compute;

/// <summary>Connection to the compute server, bound from the configuration root (key <c>ComputeUrl</c>).</summary>
public sealed class ComputeClientOptions
{
    public const string DefaultComputeUrl = "http://127.0.0.1:5001";

    /// <summary>URL of the compute server's gRPC endpoint; http:// means HTTP/2 without TLS. Default http://127.0.0.1:5001.</summary>
    [Required]
    [Url]
    public string ComputeUrl { get; set; } = DefaultComputeUrl;

    /// <summary>Deadline of one unary call (catalog, submit, get or cancel a job), in seconds. Default 10.</summary>
    [Range(1, 600)]
    public double CallTimeoutSeconds { get; set; } = 10;
}
