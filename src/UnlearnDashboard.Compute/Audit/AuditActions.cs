namespace UnlearnDashboard.Compute.Audit;

/// <summary>
/// Names of audited actions, as stored in <c>audit_entries.Action</c>. The ones marked "not recorded yet" name
/// operations that do not exist yet; whoever adds the operation records its entry through
/// <see cref="AuditTrail.AppendAsync"/> with this name.
/// </summary>
public static class AuditActions
{
    public const string DatasetRegister = "dataset.register";

    public const string ModelImport = "model.import";

    public const string JobSubmit = "job.submit";

    public const string JobStart = "job.start";

    public const string JobEnd = "job.end";

    /// <summary>A CancelJob call; the job's own end is recorded as <see cref="JobEnd"/>.</summary>
    public const string JobCancel = "job.cancel";

    public const string CounterfactualGenerate = "counterfactual_set.generate";

    public const string CounterfactualApprove = "counterfactual_set.approve";

    public const string CounterfactualReject = "counterfactual_set.reject";

    /// <summary>Rows of data returned to a caller, such as a page of a counterfactual set's row pairs.</summary>
    public const string RowsView = "rows.view";

    /// <summary>Promotion of a model version to an alias such as champion, with the release gate's verdict; also recorded when the gate rejects it.</summary>
    public const string VersionPromote = "version.promote";

    /// <summary>A model's release gate set or replaced.</summary>
    public const string ReleaseGateSet = "release_gate.set";

    /// <summary>A report, data or model export; only model exports (ExportModel) are recorded yet.</summary>
    public const string Export = "export";

    /// <summary>An erasure job's commit: its certificate, with the erased rows' ids and hashes.</summary>
    public const string Erasure = "erasure";

    /// <summary>A SignIn with an unknown user name or a wrong password; the details name the user tried, never the password.</summary>
    public const string LoginFailure = "login.fail";

    /// <summary>A successful SignIn; the details name the session's expiry.</summary>
    public const string Login = "login";

    /// <summary>A SignOut, which ended the caller's session token.</summary>
    public const string Logout = "logout";

    public const string UserCreate = "user.create";

    /// <summary>A SetPassword: the user whose password was set, the actor who set it, and whether the server generated it.</summary>
    public const string PasswordSet = "password.set";

    public const string UserRevoke = "user.revoke";

    public const string ApiKeyCreate = "api_key.create";

    public const string ApiKeyRevoke = "api_key.revoke";

    /// <summary>An API key replaced by a new one; the subject is the old key, the details name the new one.</summary>
    public const string ApiKeyRotate = "api_key.rotate";
}

/// <summary>Actors that are not users.</summary>
public static class AuditActors
{
    /// <summary>An unauthenticated call, such as a failed SignIn.</summary>
    public const string Anonymous = "anonymous";

    /// <summary>The server acting on its own, such as the scheduler starting a job or the demo seeder.</summary>
    public const string System = "system";
}
