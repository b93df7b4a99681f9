using Microsoft.EntityFrameworkCore;

namespace UnlearnDashboard.Compute.Storage;

/// <summary>
/// The compute server's database. The model uses only portable types and indexes, so the same context
/// works on SQLite now and on other relational providers later.
/// </summary>
public sealed class ComputeDbContext(DbContextOptions<ComputeDbContext> options) : DbContext(options)
{
    public DbSet<DatasetRow> Datasets => Set<DatasetRow>();

    public DbSet<ModelRow> Models => Set<ModelRow>();

    public DbSet<ModelVersionRow> ModelVersions => Set<ModelVersionRow>();

    public DbSet<JobRow> Jobs => Set<JobRow>();

    public DbSet<JobEventRow> JobEvents => Set<JobEventRow>();

    public DbSet<CounterfactualSetRow> CounterfactualSets => Set<CounterfactualSetRow>();

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
    }
}
