using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UnlearnDashboard.Compute.Access;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>
/// Checks the access table against every RPC: each method of every service in the protos and each method the server
/// maps has a rule, and each role (and an anonymous caller) gets exactly the statuses the rule allows.
/// </summary>
public abstract class AccessMatrixTests(ComputeServerFixture server)
{
    /// <summary>A user with the retired role ROLE_DASHBOARD, which an older version created; it may call nothing.</summary>
    private const string RetiredRoleCaller = "retired-dashboard";

    /// <summary>
    /// Every role that a key in credentials.json has, a user of the retired role, and null for a call without a
    /// credential.
    /// </summary>
    private static readonly string?[] Callers = [null, "viewer", "engineer", "compliance", "admin", RetiredRoleCaller];

    private GrpcChannel? _retiredRoleChannel;

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(bytes => bytes, bytes => bytes);

    [Fact]
    public void AccessTable_EveryProtoMethod_HasRule()
    {
        var services = typeof(AccessService).Assembly.GetTypes()
            .Where(type => type.Namespace == typeof(AccessService).Namespace)
            .Select(type => type.GetProperty("Descriptor")?.GetValue(null))
            .OfType<ServiceDescriptor>()
            .ToList();

        var missing = services.SelectMany(s => s.Methods).Select(m => $"/{m.Service.FullName}/{m.Name}")
            .Where(name => AccessPolicy.Find(name) is null)
            .ToList();

        Assert.Contains(services, s => s.Name == "AccessService");
        Assert.True(services.Count >= 9, $"found only {services.Count} services: {string.Join(", ", services.Select(s => s.Name))}");
        Assert.True(missing.Count == 0, $"methods without an entry in AccessPolicy: {string.Join(", ", missing)}");
    }

    [Fact]
    public void AccessTable_EveryMappedMethod_HasRule()
    {
        var missing = MappedMethods().Select(m => m.FullName).Where(name => AccessPolicy.Find(name) is null).ToList();

        Assert.Contains(MappedMethods(), m => m.FullName == "/grpc.health.v1.Health/Check");
        Assert.True(missing.Count == 0, $"mapped methods without an entry in AccessPolicy: {string.Join(", ", missing)}");
    }

    [Fact]
    public async Task EveryMethod_EveryRole_GetsStatusOfTable()
    {
        var failures = new List<string>();
        foreach (var method in MappedMethods())
        {
            var rule = AccessPolicy.Find(method.FullName);
            if (rule is null)
            {
                failures.Add($"{method.FullName}: no entry in AccessPolicy");
                continue;
            }

            foreach (string? caller in Callers)
            {
                var status = await CallWithEmptyRequestAsync(method, caller);
                string? failure = Check(rule, caller, status);
                if (failure is not null)
                    failures.Add($"{method.FullName} as {caller ?? "anonymous"}: {failure} (got {status.StatusCode}: {status.Detail})");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task PermissionDenied_NamesAllowedRoles()
    {
        var error = await RpcAssert.FailsAsync(() =>
            new AccessService.AccessServiceClient(server.ChannelAs("viewer")).ListUsersAsync(new ListUsersRequest()).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("admin", error.Status.Detail);
        Assert.Contains("'viewer' has the role viewer", error.Status.Detail);
    }

    /// <summary>Returns null when the status fits the rule, else what is wrong.</summary>
    private static string? Check(MethodAccess rule, string? caller, Status status)
    {
        if (rule.Anonymous)
        {
            // Methods open to anyone may still fail for their own reasons, such as SignIn without a password.
            return status.StatusCode == StatusCode.PermissionDenied ? "expected no PERMISSION_DENIED on a method open to anyone" : null;
        }

        if (caller is null)
            return status.StatusCode == StatusCode.Unauthenticated ? null : "expected UNAUTHENTICATED";

        bool allowed = rule.Roles.Any(role => RoleNames.ToName(role) == caller);
        if (!allowed)
            return status.StatusCode == StatusCode.PermissionDenied ? null : "expected PERMISSION_DENIED";

        return status.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated
            ? "expected any status but PERMISSION_DENIED and UNAUTHENTICATED"
            : null;
    }

    /// <summary>Calls a method with an empty message (valid for every proto message) and returns the call's status.</summary>
    private async Task<Status> CallWithEmptyRequestAsync(IMethod method, string? caller)
    {
        var channel = caller == RetiredRoleCaller ? await RetiredRoleChannelAsync() : server.ChannelAs(caller);
        var invoker = channel.CreateCallInvoker();
        var call = new Method<byte[], byte[]>(method.Type, method.ServiceName, method.Name, Bytes, Bytes);
        var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30));
        try
        {
            switch (method.Type)
            {
                case MethodType.Unary:
                    await invoker.AsyncUnaryCall(call, null, options, []);
                    break;
                case MethodType.ServerStreaming:
                    using (var stream = invoker.AsyncServerStreamingCall(call, null, options, []))
                        await stream.ResponseStream.MoveNext(CancellationToken.None);
                    break;
                case MethodType.ClientStreaming:
                    using (var upload = invoker.AsyncClientStreamingCall(call, null, options))
                    {
                        await upload.RequestStream.CompleteAsync();
                        await upload.ResponseAsync;
                    }

                    break;
                case MethodType.DuplexStreaming:
                    using (var duplex = invoker.AsyncDuplexStreamingCall(call, null, options))
                    {
                        await duplex.RequestStream.CompleteAsync();
                        await duplex.ResponseStream.MoveNext(CancellationToken.None);
                    }

                    break;
            }

            return Status.DefaultSuccess;
        }
        catch (RpcException error)
        {
            return error.Status;
        }
    }

    /// <summary>
    /// Returns a channel with the key of a user stored with ROLE_DASHBOARD, as a database of an older version has
    /// it (CreateUser refuses that role now), creating the user on the first call.
    /// </summary>
    private async Task<GrpcChannel> RetiredRoleChannelAsync()
    {
        if (_retiredRoleChannel is not null)
            return _retiredRoleChannel;

        var store = server.Services.GetRequiredService<AccessStore>();
        var (hash, salt, iterations) = Secrets.NoPassword();
        var (key, secret) = store.NewKey(RetiredRoleCaller, "key of a user with the retired dashboard role");
        await using (var db = await server.Services.GetRequiredService<IDbContextFactory<ComputeDbContext>>().CreateDbContextAsync())
        {
            db.Users.Add(store.NewUser(RetiredRoleCaller, Role.Dashboard, hash, salt, iterations));
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync();
        }

        return _retiredRoleChannel = ComputeCredentials.CreateChannel(server.Url, secret);
    }

    /// <summary>Returns the gRPC methods that the running server maps, from its endpoints.</summary>
    private List<IMethod> MappedMethods() =>
        server.Services.GetServices<EndpointDataSource>()
            .SelectMany(source => source.Endpoints)
            .Select(endpoint => endpoint.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method)
            .OfType<IMethod>()
            .DistinctBy(method => method.FullName)
            .OrderBy(method => method.FullName, StringComparer.Ordinal)
            .ToList();
}

public sealed class AccessMatrixSqliteTests(ComputeServerFixture server) : AccessMatrixTests(server), IClassFixture<ComputeServerFixture>;

public sealed class AccessMatrixPostgresTests(PostgresComputeServerFixture server) : AccessMatrixTests(server), IClassFixture<PostgresComputeServerFixture>;
