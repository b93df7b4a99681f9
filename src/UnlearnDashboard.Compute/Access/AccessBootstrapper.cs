using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Audit;
using UnlearnDashboard.Compute.Diagnostics;
using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Access;

/// <summary>
/// On a start with no users, creates one user per role, named after the role, with one API key each; writes the
/// keys to <see cref="CredentialsFile"/> in the data folder and logs the admin's generated password once. Only
/// the admin gets a password, so the other first users authenticate only with their API keys.
/// Several servers starting together on one PostgreSQL database bootstrap once: the check and the inserts run
/// in one transaction under an advisory lock (on SQLite the transaction itself takes the write lock first).
/// </summary>
internal sealed class AccessBootstrapper(
    IDbContextFactory<ComputeDbContext> dbFactory,
    AccessStore store,
    AuditTrail audit,
    IOptions<ComputeOptions> computeOptions,
    IOptions<AccessOptions> accessOptions,
    ILogger<AccessBootstrapper> logger) : IHostedService
{
    /// <summary>Key of the PostgreSQL advisory lock held while bootstrapping; a constant unique to this use.</summary>
    public const long AdvisoryLockKey = 0x756E_6C65_6172_6E02;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!accessOptions.Value.Bootstrap)
            return;

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (db.Database.IsNpgsql())
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock({0})", [AdvisoryLockKey], cancellationToken);

        if (await db.Users.AnyAsync(cancellationToken))
        {
            logger.AccessBootstrapSkipped();
            return;
        }

        string adminPassword = Secrets.NewPassword();
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        var keys = new List<ApiKeyRow>();
        foreach (var role in RoleNames.All)
        {
            string name = RoleNames.ToName(role);
            var user = role == Role.Admin
                ? NewUserWithPassword(name, role, adminPassword)
                : NewUserWithoutPassword(name, role);
            var (key, secret) = store.NewKey(name, "first key, created on the first start");
            db.Users.Add(user);
            db.ApiKeys.Add(key);
            keys.Add(key);
            secrets[name] = secret;
        }

        await db.SaveChangesAsync(cancellationToken);

        // The file is written before the commit, so a crash between the two leaves a file of unused keys rather
        // than users whose keys are lost. The next start then finds no users and bootstraps again.
        string path = Path.Combine(computeOptions.Value.DataPath, CredentialsFile.FileName);
        CredentialsFile.Write(path, secrets);
        await transaction.CommitAsync(cancellationToken);

        foreach (var key in keys)
        {
            await audit.TryAppendAsync(AuditActors.System, AuditActions.UserCreate, AccessStore.UserSubject(key.UserName),
                new Dictionary<string, object?> { ["role"] = key.UserName });
            await audit.TryAppendAsync(AuditActors.System, AuditActions.ApiKeyCreate, AccessStore.ApiKeySubject(key.Id),
                new Dictionary<string, object?> { ["user_name"] = key.UserName });
        }

        logger.AccessBootstrapped(string.Join(", ", secrets.Keys), path, RoleNames.ToName(Role.Admin), adminPassword);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private UserRow NewUserWithPassword(string name, Role role, string password)
    {
        var (hash, salt) = Secrets.HashPassword(password);
        return store.NewUser(name, role, hash, salt, Secrets.PasswordIterations);
    }

    private UserRow NewUserWithoutPassword(string name, Role role)
    {
        var (hash, salt, iterations) = Secrets.NoPassword();
        return store.NewUser(name, role, hash, salt, iterations);
    }
}
