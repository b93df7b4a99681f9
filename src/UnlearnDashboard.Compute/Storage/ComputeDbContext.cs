using Microsoft.EntityFrameworkCore;

namespace UnlearnDashboard.Compute.Storage;

/// <summary>
/// The compute server's database. The model uses only portable types and indexes, so the same model works
/// on SQLite and PostgreSQL. Each provider has its own subclass (<see cref="SqliteComputeDbContext"/>,
/// <see cref="PostgresComputeDbContext"/>) because EF Core keeps one migration history per context type.
/// </summary>
public abstract class ComputeDbContext(DbContextOptions options) : DbContext(options)
{
    public const string AuditTableName = "audit_entries";

    public DbSet<DatasetRow> Datasets => Set<DatasetRow>();

    public DbSet<ModelRow> Models => Set<ModelRow>();

    public DbSet<ModelVersionRow> ModelVersions => Set<ModelVersionRow>();

    public DbSet<JobRow> Jobs => Set<JobRow>();

    public DbSet<JobEventRow> JobEvents => Set<JobEventRow>();

    public DbSet<CounterfactualSetRow> CounterfactualSets => Set<CounterfactualSetRow>();

    public DbSet<AuditEntryRow> AuditEntries => Set<AuditEntryRow>();

    public DbSet<ModelAliasRow> ModelAliases => Set<ModelAliasRow>();

    public DbSet<ReleaseGateRow> ReleaseGates => Set<ReleaseGateRow>();
    public DbSet<UserRow> Users => Set<UserRow>();

    public DbSet<ApiKeyRow> ApiKeys => Set<ApiKeyRow>();

    public DbSet<SessionTokenRow> SessionTokens => Set<SessionTokenRow>();

    public DbSet<ErasureRow> Erasures => Set<ErasureRow>();

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        TruncateTimesToMicroseconds();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        TruncateTimesToMicroseconds();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>
    /// Drops the sub-microsecond ticks of the times being saved. PostgreSQL keeps microseconds and SQLite keeps
    /// ticks, so without this a row returned right after it is saved could differ from the same row read back.
    /// </summary>
    private void TruncateTimesToMicroseconds()
    {
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified))
                continue;

            foreach (var property in entry.Properties)
            {
                if (property.CurrentValue is DateTime time && time.Ticks % 10 != 0)
                    property.CurrentValue = new DateTime(time.Ticks - time.Ticks % 10, time.Kind);
            }
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<DatasetRow>(dataset =>
        {
            dataset.ToTable("datasets");
            dataset.HasKey(d => d.Id);
            dataset.HasIndex(d => d.Name).IsUnique();
            dataset.Property(d => d.Name).HasMaxLength(128);
        });

        modelBuilder.Entity<ModelRow>(model =>
        {
            model.ToTable("models");
            model.HasKey(m => m.Id);
            model.HasIndex(m => m.DatasetId);
            model.HasOne<DatasetRow>().WithMany().HasForeignKey(m => m.DatasetId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<ModelVersionRow>(version =>
        {
            version.ToTable("model_versions");
            version.HasKey(v => v.Id);
            version.HasIndex(v => v.ModelId);
            version.HasOne<ModelRow>().WithMany().HasForeignKey(v => v.ModelId).OnDelete(DeleteBehavior.Restrict);
            version.Property(v => v.DatasetTrainSha256).HasMaxLength(64);
            version.Property(v => v.DatasetTestSha256).HasMaxLength(64);
        });

        modelBuilder.Entity<ModelAliasRow>(alias =>
        {
            alias.ToTable("model_aliases");
            alias.HasKey(a => new { a.ModelId, a.Alias });
            alias.Property(a => a.Alias).HasMaxLength(32);
            alias.HasOne<ModelRow>().WithMany().HasForeignKey(a => a.ModelId).OnDelete(DeleteBehavior.Restrict);
            alias.HasOne<ModelVersionRow>().WithMany().HasForeignKey(a => a.VersionId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<ErasureRow>(erasure =>
        {
            erasure.ToTable("erasures");
            erasure.HasKey(e => e.Id);
            erasure.HasIndex(e => e.JobId).IsUnique();
            erasure.HasIndex(e => e.DatasetId);
            erasure.HasOne<DatasetRow>().WithMany().HasForeignKey(e => e.DatasetId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<ReleaseGateRow>(gate =>
        {
            gate.ToTable("release_gates");
            gate.HasKey(g => g.ModelId);
            gate.HasOne<ModelRow>().WithMany().HasForeignKey(g => g.ModelId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<JobRow>(job =>
        {
            job.ToTable("jobs");
            job.HasKey(j => j.Id);
            job.HasIndex(j => j.State);
            job.HasIndex(j => j.CreatedAt);
        });

        modelBuilder.Entity<JobEventRow>(jobEvent =>
        {
            jobEvent.ToTable("job_events");
            jobEvent.HasKey(e => new { e.JobId, e.Sequence });
            jobEvent.HasOne<JobRow>().WithMany().HasForeignKey(e => e.JobId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<CounterfactualSetRow>(set =>
        {
            set.ToTable("counterfactual_sets");
            set.HasKey(s => s.Id);
            set.HasIndex(s => new { s.DatasetId, s.Status });
            set.HasOne<DatasetRow>().WithMany().HasForeignKey(s => s.DatasetId).OnDelete(DeleteBehavior.Restrict);
        });

        // The migration that creates this table also creates the triggers that reject UPDATE and DELETE on it.
        modelBuilder.Entity<AuditEntryRow>(entry =>
        {
            entry.ToTable(AuditTableName);
            entry.HasKey(e => e.Sequence);
            entry.Property(e => e.Sequence).ValueGeneratedNever();
            entry.Property(e => e.Actor).HasMaxLength(256);
            entry.Property(e => e.Action).HasMaxLength(64);
            entry.Property(e => e.Subject).HasMaxLength(256);
            entry.Property(e => e.PreviousHash).HasMaxLength(64);
            entry.Property(e => e.Hash).HasMaxLength(64);
            entry.HasIndex(e => e.Subject);
            entry.HasIndex(e => new { e.Action, e.Time });
        });

        modelBuilder.Entity<UserRow>(user =>
        {
            user.ToTable("users");
            user.HasKey(u => u.Name);
            user.Property(u => u.Name).HasMaxLength(64);
        });

        modelBuilder.Entity<ApiKeyRow>(key =>
        {
            key.ToTable("api_keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.Id).HasMaxLength(32);
            key.Property(k => k.Description).HasMaxLength(200);
            key.HasIndex(k => k.UserName);
            key.HasOne<UserRow>().WithMany().HasForeignKey(k => k.UserName).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<SessionTokenRow>(token =>
        {
            token.ToTable("session_tokens");
            token.HasKey(t => t.TokenHash);
            token.HasIndex(t => t.UserName);
            token.HasIndex(t => t.ExpiresAt);
            token.HasOne<UserRow>().WithMany().HasForeignKey(t => t.UserName).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
