using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Access;
using UnlearnDashboard.Compute.Audit;
using UnlearnDashboard.Compute.Counterfactuals;
using UnlearnDashboard.Compute.Datasets;
using UnlearnDashboard.Compute.Erasures;
using UnlearnDashboard.Compute.Interop;
using UnlearnDashboard.Compute.Jobs;
using UnlearnDashboard.Compute.Jobs.Worker;
using UnlearnDashboard.Compute.Models;
using UnlearnDashboard.Compute.Services;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Compute.Versions;
using UnlearnDashboard.Tls;

namespace UnlearnDashboard.Compute.Hosting;

/// <summary>Registers and maps the compute server's services; Program.cs and the tests share these.</summary>
public static class ComputeServerExtensions
{
    /// <summary>
    /// Adds HTTPS when <c>Tls:CertificatePath</c> is set, options, storage, the job scheduler and the gRPC services.
    /// Throws <see cref="StartupException"/> when the certificate cannot be used.
    /// </summary>
    public static WebApplicationBuilder AddComputeServer(this WebApplicationBuilder builder)
    {
        try
        {
            builder.UseConfiguredTls();
        }
        catch (TlsConfigurationException error)
        {
            throw new StartupException(error.Message, error);
        }

        builder.Services.AddComputeOptions(builder.Configuration);
        builder.Services.AddComputeStorage();
        builder.Services.AddComputeAccess(builder.Configuration);
        builder.Services.AddComputeJobs();
        builder.Services.AddComputeGrpc(builder.Environment);
        return builder;
    }

    /// <summary>Maps the gRPC services, health checking and reflection, behind the request message size check.</summary>
    public static WebApplication MapComputeServer(this WebApplication app)
    {
        app.Use(app.Services.GetRequiredService<MessageSizeGuard>().Wrap);
        app.MapGrpcService<DatasetGrpcService>();
        app.MapGrpcService<ModelGrpcService>();
        app.MapGrpcService<JobGrpcService>();
        app.MapGrpcService<CounterfactualGrpcService>();
        app.MapGrpcService<ComparisonGrpcService>();
        app.MapGrpcService<ReportGrpcService>();
        app.MapGrpcService<InteropGrpcService>();
        app.MapGrpcService<AuditGrpcService>();
        app.MapGrpcService<DiagnosticsGrpcService>();
        app.MapGrpcService<VersionGrpcService>();
        app.MapGrpcService<AccessGrpcService>();
        app.MapGrpcService<ErasureGrpcService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }

    /// <summary>Binds <see cref="ComputeOptions"/> from the configuration root and <see cref="JobOptions"/> from <c>Jobs</c>, validated on start.</summary>
    public static IServiceCollection AddComputeOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ComputeOptions>().Bind(configuration).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ComputeOptions>, ComputeOptionsValidator>();
        services.AddOptions<JobOptions>().Bind(configuration.GetSection(JobOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<JobOptions>, JobOptionsValidator>();
        services.AddOptions<JobRunnerOptions>().Bind(configuration.GetSection(JobOptions.SectionName)).ValidateOnStart();
        services.AddOptions<FaultInjectionOptions>().Bind(configuration.GetSection(FaultInjectionOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AnalysisOptions>().Bind(configuration.GetSection(AnalysisOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AnalysisOptions>, AnalysisOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>
    /// Adds the database of the configured provider (SQLite at <c>DataDirectory/unlearn.db</c> by default, or
    /// PostgreSQL), the artifact store, the audit trail and the catalogs of datasets, models and counterfactual sets.
    /// </summary>
    public static IServiceCollection AddComputeStorage(this IServiceCollection services)
    {
        // Both factories are registered, but only the configured one is ever resolved, so only its options are built.
        services.AddDbContextFactory<SqliteComputeDbContext>((provider, db) => db.UseSqlite(ConnectionString(provider)));
        services.AddDbContextFactory<PostgresComputeDbContext>((provider, db) => db.UseNpgsql(ConnectionString(provider)));
        services.AddSingleton<IDbContextFactory<ComputeDbContext>>(provider =>
            provider.GetRequiredService<IOptions<ComputeOptions>>().Value.Database.IsPostgres
                ? new ComputeDbContextFactory<PostgresComputeDbContext>(provider.GetRequiredService<IDbContextFactory<PostgresComputeDbContext>>())
                : new ComputeDbContextFactory<SqliteComputeDbContext>(provider.GetRequiredService<IDbContextFactory<SqliteComputeDbContext>>()));
        services.AddSingleton<ArtifactStore>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<DatasetCatalog>();
        services.AddSingleton<ModelCatalog>();
        services.AddSingleton<VersionLoader>();
        services.AddSingleton<AnalysisGate>();
        services.AddSingleton<VersionComparisons>();
        services.AddSingleton<ModelTransfer>();
        services.AddSingleton<CounterfactualCatalog>();
        services.AddSingleton<VersionPromotions>();
        services.AddSingleton<LineageReader>();

        // Hosted services start in registration order: the schema exists before the scheduler reads jobs.
        services.AddSingleton<DataDirectoryLock>();
        services.AddSingleton<DatabaseInitializer>();
        services.AddHostedService(provider => provider.GetRequiredService<DatabaseInitializer>());
        return services;
    }

    private static string ConnectionString(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<ComputeOptions>>().Value.DatabaseConnectionString;

    /// <summary>
    /// Adds the user and key store, the first-start bootstrap of one user per role (a hosted service that runs
    /// after the database is migrated and before the demo is seeded), the per-caller rate limiter, the sign-in lockout and
    /// <see cref="AccessOptions"/> from <c>Access</c>.
    /// </summary>
    public static IServiceCollection AddComputeAccess(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AccessOptions>().Bind(configuration.GetSection(AccessOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AccessOptions>, AccessOptionsValidator>();
        services.AddSingleton<AccessStore>();
        services.AddSingleton<CallerRateLimiter>();
        services.AddSingleton<SignInLockout>();
        services.AddHostedService<AccessBootstrapper>();
        return services;
    }

    /// <summary>
    /// Adds the job store, the live event hub, the runner that <see cref="JobRunnerOptions.Runner"/> chooses
    /// (a worker process per job by default), the commit journal, the scheduler with the PostgreSQL queue and its
    /// notification listener (idle on SQLite) and the demo seeder.
    /// </summary>
    public static IServiceCollection AddComputeJobs(this IServiceCollection services)
    {
        services.AddSingleton<JobEventHub>();
        services.AddSingleton<JobStore>();
        services.AddSingleton<JobRequestValidator>();
        services.AddSingleton<InProcessJobRunner>();
        services.AddSingleton<WorkerJobRunner>();
        services.AddSingleton<IJobRunner>(provider =>
            provider.GetRequiredService<IOptions<JobRunnerOptions>>().Value.Runner == JobRunnerKind.InProcess
                ? provider.GetRequiredService<InProcessJobRunner>()
                : provider.GetRequiredService<WorkerJobRunner>());
        services.AddSingleton<CommitJournal>();
        services.AddSingleton<PostgresJobQueue>();
        services.AddSingleton<CounterfactualSetWithdrawal>();
        services.AddSingleton<ErasureCommitter>();
        services.AddSingleton<ErasureCatalog>();
        services.AddSingleton<JobScheduler>();
        services.AddHostedService(provider => provider.GetRequiredService<JobScheduler>());
        services.AddHostedService<JobNotificationListener>();
        services.AddHostedService<DemoSeeder>();
        services.AddHostedService<StartupLogger>();
        return services;
    }

    /// <summary>
    /// Adds gRPC with the error interceptor and, inside it, the interceptor that authenticates and authorises every
    /// call and then the one that rejects U+0000 in request strings, plus health checking and reflection.
    /// </summary>
    public static IServiceCollection AddComputeGrpc(this IServiceCollection services, IHostEnvironment environment)
    {
        services.AddGrpc(grpc =>
        {
            grpc.EnableDetailedErrors = environment.IsDevelopment();
            grpc.Interceptors.Add<ErrorInterceptor>();
            grpc.Interceptors.Add<AuthInterceptor>();
            grpc.Interceptors.Add<NulCharacterInterceptor>();
        });
        services.AddSingleton<MessageSizeGuard>();
        services.AddGrpcHealthChecks().AddCheck("compute", () => HealthCheckResult.Healthy());
        services.AddGrpcReflection();
        return services;
    }
}
