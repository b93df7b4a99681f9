using System.Collections.Frozen;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Access;

/// <summary>Who may call one RPC: anyone, or only callers whose role is in <see cref="Roles"/>.</summary>
public sealed record MethodAccess(bool Anonymous, FrozenSet<Role> Roles)
{
    /// <summary>Returns the roles as their short names, for example "viewer or engineer".</summary>
    public string DescribeRoles() => string.Join(" or ", Roles.Order().Select(RoleNames.ToName));
}

/// <summary>
/// The access table: for every RPC the server maps, by its full method name ("/package.Service/Method"), who may
/// call it. A method missing from the table is denied to everyone, and a test fails for every method of the
/// server's services without an entry, so a new RPC must be added here. The README's access table mirrors it.
/// </summary>
public static class AccessPolicy
{
    private static readonly Role[] Readers = [Role.Viewer, Role.Engineer, Role.Compliance, Role.Admin];
    private static readonly Role[] Engineers = [Role.Engineer];
    private static readonly Role[] ComplianceOfficers = [Role.Compliance];
    private static readonly Role[] Admins = [Role.Admin];

    /// <summary>The access rule of every mapped RPC, by full method name.</summary>
    public static FrozenDictionary<string, MethodAccess> Rules { get; } = Build();

    /// <summary>Returns the rule of a method, or null when the method has none and is therefore denied.</summary>
    public static MethodAccess? Find(string fullMethodName) => Rules.GetValueOrDefault(fullMethodName);

    private static FrozenDictionary<string, MethodAccess> Build()
    {
        var rules = new Dictionary<string, MethodAccess>(StringComparer.Ordinal);

        // Anyone: signing in, and the standard health and reflection services that tools probe before they
        // have credentials.
        AddAnonymous(rules, AccessService.Descriptor, "SignIn");
        AddAnonymous(rules, "/grpc.health.v1.Health/Check");
        AddAnonymous(rules, "/grpc.health.v1.Health/Watch");
        AddAnonymous(rules, "/grpc.health.v1.Health/List");
        AddAnonymous(rules, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo");
        AddAnonymous(rules, "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo");

        Add(rules, AccessService.Descriptor, "WhoAmI", Readers);
        Add(rules, AccessService.Descriptor, "SignOut", Readers);

        // Every role may set its own password; the store lets only admins set another user's.
        Add(rules, AccessService.Descriptor, "SetPassword", Readers);
        Add(rules, AccessService.Descriptor, "CreateUser", Admins);
        Add(rules, AccessService.Descriptor, "ListUsers", Admins);
        Add(rules, AccessService.Descriptor, "RevokeUser", Admins);
        Add(rules, AccessService.Descriptor, "CreateApiKey", Admins);
        Add(rules, AccessService.Descriptor, "ListApiKeys", Admins);
        Add(rules, AccessService.Descriptor, "RevokeApiKey", Admins);
        Add(rules, AccessService.Descriptor, "RotateApiKey", Admins);

        Add(rules, DatasetService.Descriptor, "RegisterDataset", Engineers);
        Add(rules, DatasetService.Descriptor, "UploadDataset", Engineers);
        Add(rules, DatasetService.Descriptor, "GetDataset", Readers);
        Add(rules, DatasetService.Descriptor, "ListDatasets", Readers);
        Add(rules, DatasetService.Descriptor, "PreviewDataset", Readers);

        Add(rules, ModelService.Descriptor, "ListModels", Readers);
        Add(rules, ModelService.Descriptor, "ListVersions", Readers);
        Add(rules, ModelService.Descriptor, "GetVersion", Readers);
        Add(rules, ModelService.Descriptor, "EvaluateFairness", Readers);

        Add(rules, JobService.Descriptor, "TrainModel", Engineers);
        Add(rules, JobService.Descriptor, "SubmitDebias", Engineers);
        Add(rules, JobService.Descriptor, "WatchJob", Readers);
        Add(rules, JobService.Descriptor, "GetJob", Readers);
        Add(rules, JobService.Descriptor, "ListJobs", Readers);
        Add(rules, JobService.Descriptor, "CancelJob", Engineers);

        Add(rules, CounterfactualService.Descriptor, "GenerateCounterfactualSet", Engineers);
        Add(rules, CounterfactualService.Descriptor, "GetCounterfactualSet", Readers);
        Add(rules, CounterfactualService.Descriptor, "ListCounterfactualSets", Readers);
        Add(rules, CounterfactualService.Descriptor, "ApproveCounterfactualSet", ComplianceOfficers);
        Add(rules, CounterfactualService.Descriptor, "RejectCounterfactualSet", ComplianceOfficers);

        Add(rules, ComparisonService.Descriptor, "CompareVersions", Readers);
        Add(rules, ReportService.Descriptor, "GenerateMeetingPack", Readers);

        Add(rules, InteropService.Descriptor, "ImportModel", Engineers);
        // An export takes a model's weights out of the server's control, so it is a compliance decision.
        Add(rules, InteropService.Descriptor, "ExportModel", ComplianceOfficers);

        Add(rules, AuditService.Descriptor, "ListAuditEntries", Readers);
        Add(rules, AuditService.Descriptor, "VerifyAuditChain", Readers);

        Add(rules, DiagnosticsService.Descriptor, "GetServerStats", Readers);

        Add(rules, VersionService.Descriptor, "GetLineage", Readers);
        Add(rules, VersionService.Descriptor, "PromoteVersion", ComplianceOfficers);
        // The gate decides what may be promoted, so setting it is a compliance decision as well.
        Add(rules, VersionService.Descriptor, "SetReleaseGate", ComplianceOfficers);
        Add(rules, VersionService.Descriptor, "GetReleaseGate", Readers);
        Add(rules, VersionService.Descriptor, "ListAliases", Readers);

        Add(rules, ErasureService.Descriptor, "SubmitErasure", ComplianceOfficers);
        Add(rules, ErasureService.Descriptor, "GetErasureCertificate", Readers);
        Add(rules, ErasureService.Descriptor, "ListErasures", Readers);

        return rules.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static void Add(Dictionary<string, MethodAccess> rules, ServiceDescriptor service, string method, Role[] roles) =>
        rules.Add(FullName(service, method), new MethodAccess(false, roles.ToFrozenSet()));

    private static void AddAnonymous(Dictionary<string, MethodAccess> rules, ServiceDescriptor service, string method) =>
        rules.Add(FullName(service, method), new MethodAccess(true, FrozenSet<Role>.Empty));

    private static void AddAnonymous(Dictionary<string, MethodAccess> rules, string fullMethodName) =>
        rules.Add(fullMethodName, new MethodAccess(true, FrozenSet<Role>.Empty));

    /// <summary>Returns "/package.Service/Method", throwing when the service has no such method, so a typo fails at start.</summary>
    private static string FullName(ServiceDescriptor service, string method) =>
        service.FindMethodByName(method) is null
            ? throw new InvalidOperationException($"The access table names {service.FullName}/{method}, which the proto does not define.")
            : $"/{service.FullName}/{method}";
}

/// <summary>Converts roles to and from the short names used in credentials.json, messages and the CLI.</summary>
public static class RoleNames
{
    /// <summary>The roles that a user can have, in the order the README lists them.</summary>
    public static IReadOnlyList<Role> All { get; } = [Role.Viewer, Role.Engineer, Role.Compliance, Role.Admin];

    /// <summary>Returns "viewer", "engineer", "compliance", "admin", or "dashboard" for the retired role.</summary>
    public static string ToName(Role role) => role switch
    {
        Role.Viewer => "viewer",
        Role.Engineer => "engineer",
        Role.Compliance => "compliance",
        Role.Admin => "admin",
        Role.Dashboard => "dashboard",
        _ => $"unknown role {(int)role}",
    };
}
