using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Access;
using UnlearnDashboard.Compute.Storage;

namespace UnlearnDashboard.Compute.Hosting;

/// <summary>Checks the attribute bounds of <see cref="ComputeOptions"/> and its sections, and that the folders are usable paths.</summary>
internal sealed class ComputeOptionsValidator : IValidateOptions<ComputeOptions>
{
    public ValidateOptionsResult Validate(string? name, ComputeOptions options)
    {
        var errors = new List<string>();
        AddAttributeErrors(options, "", errors);
        AddAttributeErrors(options.Upload, "Upload:", errors);
        AddPathError(options.DataDirectory, nameof(ComputeOptions.DataDirectory), errors);
        if (!string.IsNullOrWhiteSpace(options.ImportDirectory))
            AddPathError(options.ImportDirectory, nameof(ComputeOptions.ImportDirectory), errors);
        AddDatabaseErrors(options.Database, errors);

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static void AddAttributeErrors(object options, string prefix, List<string> errors)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
            return;

        foreach (var result in results)
            errors.Add($"{prefix}{string.Join(", ", result.MemberNames)}: {result.ErrorMessage}");
    }

    private static void AddDatabaseErrors(DatabaseOptions database, List<string> errors)
    {
        if (!database.IsSqlite && !database.IsPostgres)
        {
            errors.Add($"Database:Provider '{database.Provider}' is unknown; use {DatabaseOptions.SqliteProvider} or {DatabaseOptions.PostgresProvider}.");
            return;
        }

        if (database.IsPostgres && string.IsNullOrWhiteSpace(database.ConnectionString))
        {
            errors.Add("Database:ConnectionString is empty, but Database:Provider is postgres; set it (or Database__ConnectionString) "
                       + "to a connection string such as Host=127.0.0.1;Database=unlearn;Username=unlearn;Password=....");
        }
    }

    private static void AddPathError(string path, string key, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            errors.Add($"{key} is empty; set it to a folder path.");
            return;
        }

        try
        {
            Path.GetFullPath(path);
        }
        catch (Exception error) when (error is ArgumentException or NotSupportedException or PathTooLongException)
        {
            errors.Add($"{key} '{path}' is not a valid path: {error.Message}");
        }
    }
}

/// <summary>Checks the attribute bounds of <see cref="JobOptions"/>.</summary>
internal sealed class JobOptionsValidator : IValidateOptions<JobOptions>
{
    public ValidateOptionsResult Validate(string? name, JobOptions options)
    {
        var errors = new List<string>();
        ComputeOptionsValidator.AddAttributeErrors(options, JobOptions.SectionName + ":", errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Checks the attribute bounds of <see cref="AnalysisOptions"/>, naming each option by its configuration key.</summary>
internal sealed class AnalysisOptionsValidator : IValidateOptions<AnalysisOptions>
{
    public ValidateOptionsResult Validate(string? name, AnalysisOptions options)
    {
        var errors = new List<string>();
        ComputeOptionsValidator.AddAttributeErrors(options, AnalysisOptions.SectionName + ":", errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Checks the attribute bounds of <see cref="AccessOptions"/> and its <c>RateLimit</c> and <c>SignInLockout</c> sections.</summary>
internal sealed class AccessOptionsValidator : IValidateOptions<AccessOptions>
{
    public ValidateOptionsResult Validate(string? name, AccessOptions options)
    {
        var errors = new List<string>();
        ComputeOptionsValidator.AddAttributeErrors(options, AccessOptions.SectionName + ":", errors);
        ComputeOptionsValidator.AddAttributeErrors(options.RateLimit, RateLimitOptions.SectionName + ":", errors);
        ComputeOptionsValidator.AddAttributeErrors(options.SignInLockout, SignInLockoutOptions.SectionName + ":", errors);
        double rate = options.RateLimit.PermitsPerSecond;
        if (rate > 0 && rate < RateLimitOptions.MinPermitsPerSecond)
        {
            errors.Add($"{RateLimitOptions.SectionName}:PermitsPerSecond is {rate.ToString("G", System.Globalization.CultureInfo.InvariantCulture)}; "
                       + $"use 0 to turn rate limiting off, or at least {RateLimitOptions.MinPermitsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture)} (one call every 100 s).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
