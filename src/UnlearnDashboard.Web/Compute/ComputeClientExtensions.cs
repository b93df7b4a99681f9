using Microsoft.Extensions.Options;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Compute;

/// <summary>Registers the gRPC clients of the compute server and the services built on them.</summary>
public static class ComputeClientExtensions
{
    /// <summary>Largest gRPC response accepted, 64 MiB, because a debias result lists every removed row id.</summary>
    public const int MaxReceiveMessageBytes = 64 * 1024 * 1024;

    public static IServiceCollection AddComputeClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ComputeClientOptions>()
            .Bind(configuration)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        AddClient<DatasetService.DatasetServiceClient>(services);
        AddClient<ModelService.ModelServiceClient>(services);
        AddClient<JobService.JobServiceClient>(services);
        AddClient<ComparisonService.ComparisonServiceClient>(services);
        AddClient<CounterfactualService.CounterfactualServiceClient>(services);
        AddClient<ReportService.ReportServiceClient>(services);
        AddClient<AuditService.AuditServiceClient>(services);

        services.AddScoped<IComputeCatalog, ComputeCatalog>();
        services.AddScoped<IComputeJobs, ComputeJobs>();
        services.AddScoped<IComputeComparisons, ComputeComparisons>();
        services.AddScoped<IComputeCounterfactuals, ComputeCounterfactuals>();
        services.AddScoped<IComputeAudit, ComputeAudit>();
        return services;
    }

    private static void AddClient<TClient>(IServiceCollection services)
        where TClient : class
    {
        services.AddGrpcClient<TClient>((provider, options) =>
            {
                options.Address = new Uri(provider.GetRequiredService<IOptions<ComputeClientOptions>>().Value.ComputeUrl);
            })
            .AddCallCredentials((_, metadata, provider) =>
            {
                string apiKey = provider.GetRequiredService<IOptions<ComputeClientOptions>>().Value.ApiKey;
                if (apiKey.Length > 0)
                    metadata.Add("authorization", $"Bearer {apiKey}");
                return Task.CompletedTask;
            })
            .ConfigureChannel(channel =>
            {
                channel.MaxReceiveMessageSize = MaxReceiveMessageBytes;

                // The compute server is reached over plain HTTP/2 on loopback by default, where gRPC refuses call
                // credentials unless this allows them.
                channel.UnsafeUseInsecureChannelCallCredentials = true;
            });
    }
}
