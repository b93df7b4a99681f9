using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Tls;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Access;

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
        services.AddSingleton<IValidateOptions<ComputeClientOptions>, ComputeClientOptionsValidator>();

        AddClient<DatasetService.DatasetServiceClient>(services);
        AddClient<ModelService.ModelServiceClient>(services);
        AddClient<JobService.JobServiceClient>(services);
        AddClient<ComparisonService.ComparisonServiceClient>(services);
        AddClient<CounterfactualService.CounterfactualServiceClient>(services);
        AddClient<ReportService.ReportServiceClient>(services);
        AddClient<AuditService.AuditServiceClient>(services);
        AddClient<AccessService.AccessServiceClient>(services);
        AddClient<VersionService.VersionServiceClient>(services);
        AddClient<ErasureService.ErasureServiceClient>(services);

        services.AddScoped<UserSession>();

        services.AddScoped<IComputeCatalog, ComputeCatalog>();
        services.AddScoped<IComputeJobs, ComputeJobs>();
        services.AddScoped<IComputeComparisons, ComputeComparisons>();
        services.AddScoped<IComputeCounterfactuals, ComputeCounterfactuals>();
        services.AddScoped<IComputeAudit, ComputeAudit>();
        services.AddScoped<IComputeAccess, ComputeAccess>();
        services.AddScoped<IComputeVersions, ComputeVersions>();
        services.AddScoped<IComputeErasures, ComputeErasures>();
        return services;
    }

    private static void AddClient<TClient>(IServiceCollection services)
        where TClient : class
    {
        services.AddGrpcClient<TClient>((provider, options) =>
            {
                options.Address = new Uri(provider.GetRequiredService<IOptions<ComputeClientOptions>>().Value.ComputeUrl);
            })
            .ConfigureChannel(channel => channel.MaxReceiveMessageSize = MaxReceiveMessageBytes)
            .ConfigurePrimaryHttpMessageHandler(TrustConfiguredCa)
            // One interceptor per client, created in the scope that resolves the client, so it reads that
            // circuit's or request's user.
            .AddInterceptor(InterceptorScope.Client, provider => new SessionTokenInterceptor(provider.GetRequiredService<UserSession>()));
    }

    /// <summary>Makes the handler also trust the certificates of <see cref="ComputeClientOptions.ComputeCaCertificatePath"/>, when set.</summary>
    private static void TrustConfiguredCa(HttpMessageHandler handler, IServiceProvider provider)
    {
        string? path = provider.GetRequiredService<IOptions<ComputeClientOptions>>().Value.ComputeCaCertificatePath;
        if (string.IsNullOrWhiteSpace(path))
            return;

        var validator = TrustedCertificates.CreateValidator(TrustedCertificates.Load(path, nameof(ComputeClientOptions.ComputeCaCertificatePath)));
        switch (handler)
        {
            case SocketsHttpHandler sockets:
                sockets.SslOptions.RemoteCertificateValidationCallback = validator;
                break;
            case HttpClientHandler client:
                client.ServerCertificateCustomValidationCallback = (request, certificate, chain, errors) => validator(request, certificate, chain, errors);
                break;
            default:
                throw new InvalidOperationException($"The compute client's primary handler is a {handler.GetType().Name}, which has no certificate check to set.");
        }
    }
}
